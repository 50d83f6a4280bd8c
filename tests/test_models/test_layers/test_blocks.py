import pytest
import torch

from inpaintzoo.registry import MODELS


def test_sandwich_block_order():
    torch.manual_seed(0)
    blk = MODELS.build(dict(type='SandwichBlock', dim=8, num_heads=2)).double()
    x = torch.randn(1, 8, 4, 4, dtype=torch.float64)
    y = x + blk.ffn1(blk.norm1(x))
    y = y + blk.attn(blk.norm2(y))
    y = y + blk.ffn2(blk.norm3(y))
    torch.testing.assert_close(blk(x), y, rtol=0, atol=0)
    assert type(blk.attn).__name__ == 'SCAL'
    assert blk.ffn1.hidden == int(8 * 2.66)
    assert blk.size_divisor == 2


def test_attn_ffn_block_order():
    torch.manual_seed(0)
    cfg = dict(
        type='AttnFFNBlock', dim=8, num_heads=2, attn=dict(type='ChannelAttention')
    )
    blk = MODELS.build(cfg).double()
    x = torch.randn(1, 8, 3, 5, dtype=torch.float64)
    y = x + blk.attn(blk.norm1(x))
    y = y + blk.ffn(blk.norm2(y))
    torch.testing.assert_close(blk(x), y, rtol=0, atol=0)
    assert blk.size_divisor == 1


@pytest.mark.parametrize('block', ['SandwichBlock', 'AttnFFNBlock'])
def test_block_config_overrides(block):
    cfg = dict(
        type=block,
        dim=8,
        num_heads=2,
        ffn=dict(type='GDFN', expansion=2.0, bias=True),
        norm=dict(type='ChannelLayerNorm', bias=False),
    )
    blk = MODELS.build(cfg)
    assert blk.norm1.bias is None
    x = torch.randn(2, 8, 4, 4, requires_grad=True)
    blk(x).sum().backward()
    assert x.grad.shape == x.shape
    assert all(p.grad is not None for p in blk.parameters())
