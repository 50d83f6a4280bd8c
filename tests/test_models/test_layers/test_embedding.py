import torch
import torch.nn.functional as F

from inpaintzoo.registry import MODELS


def test_gated_embedding():
    emb = MODELS.build(dict(type='GatedEmbedding', in_channels=4, dim=6)).double()
    assert emb.proj.weight.shape == (12, 4, 3, 3)
    x = torch.randn(2, 4, 7, 5, dtype=torch.float64)
    h = F.conv2d(x, emb.proj.weight, padding=1)
    torch.testing.assert_close(emb(x), F.gelu(h[:, :6]) * h[:, 6:], rtol=0, atol=0)


def test_conv_embedding():
    emb = MODELS.build(dict(type='ConvEmbedding', in_channels=4, dim=6, bias=True))
    x = torch.randn(1, 4, 5, 5)
    out = emb(x)
    assert out.shape == (1, 6, 5, 5)
    torch.testing.assert_close(out, emb.proj(x))
