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
    default = MODELS.build(dict(type=block, dim=8, num_heads=2))
    ffns = ('ffn1', 'ffn2') if block == 'SandwichBlock' else ('ffn',)
    norms = ('norm1', 'norm2', 'norm3') if block == 'SandwichBlock' else ('norm1',)
    for name in ffns:  # the override reaches every FFN the block builds
        ffn, ref = getattr(blk, name), getattr(default, name)
        assert (ffn.hidden, ref.hidden) == (16, int(8 * 2.66))
        assert ffn.project_in.weight.shape == (32, 8, 1, 1)
        assert ffn.project_in.bias is not None
        assert ref.project_in.bias is None
    for name in norms:
        assert getattr(blk, name).bias is None
        assert getattr(default, name).bias is not None
    # the block's output depends on every parameter it holds
    x = torch.randn(2, 8, 4, 4)
    blk(x).square().sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in blk.parameters())
