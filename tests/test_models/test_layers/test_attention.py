import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


def _loop_channel_attention(attn, x):
    # per-head reference with explicit loops over heads
    n, c, h, w = x.shape
    q, k, v = attn.qkv_dwconv(attn.qkv(x)).chunk(3, dim=1)
    d = c // attn.num_heads
    outs = []
    for head in range(attn.num_heads):
        sl = slice(head * d, (head + 1) * d)
        qh = F.normalize(q[:, sl].reshape(n, d, -1), dim=-1)
        kh = F.normalize(k[:, sl].reshape(n, d, -1), dim=-1)
        a = (qh @ kh.transpose(1, 2) * attn.temperature[head]).softmax(-1)
        outs.append((a @ v[:, sl].reshape(n, d, -1)).reshape(n, d, h, w))
    return torch.cat(outs, 1)


def test_channel_attention_matches_per_head_loop():
    torch.manual_seed(0)
    attn = MODELS.build(dict(type='ChannelAttention', dim=8, num_heads=2)).double()
    with torch.no_grad():
        attn.temperature.copy_(torch.tensor([0.5, 2.0]).view(2, 1, 1))
    x = torch.randn(2, 8, 4, 6, dtype=torch.float64)
    ref = attn.project_out(_loop_channel_attention(attn, x))
    torch.testing.assert_close(attn(x), ref, rtol=0, atol=1e-12)


def test_scal_multiplies_spatial_gate():
    torch.manual_seed(0)
    attn = MODELS.build(dict(type='SCAL', dim=8, num_heads=4)).double()
    assert attn.size_divisor == 2
    x = torch.randn(1, 8, 6, 4, dtype=torch.float64)
    gate = attn.spatial(x)
    assert gate.shape == x.shape
    assert gate.min() >= 0
    # nearest x2: each 2x2 cell is constant
    torch.testing.assert_close(gate[..., 0::2, 0::2], gate[..., 1::2, 1::2])
    ref = attn.project_out(_loop_channel_attention(attn, x) * gate)
    torch.testing.assert_close(attn(x), ref, rtol=0, atol=1e-12)


def test_heads_must_divide_dim():
    with pytest.raises(ConfigError, match='num_heads'):
        MODELS.build(dict(type='SCAL', dim=6, num_heads=4))
