import torch
import torch.nn.functional as F

from inpaintzoo.registry import MODELS


def test_gdfn_hidden_width_and_formula():
    ffn = MODELS.build(dict(type='GDFN', dim=48)).double()
    assert ffn.hidden == 127  # int(48 * 2.66), Python truncation
    assert ffn.project_in.weight.shape == (254, 48, 1, 1)
    assert ffn.dwconv.weight.shape == (254, 1, 3, 3)
    assert ffn.project_out.weight.shape == (48, 127, 1, 1)
    assert ffn.project_in.bias is None

    x = torch.randn(2, 48, 5, 4, dtype=torch.float64)
    h = ffn.dwconv(ffn.project_in(x))
    ref = ffn.project_out(F.gelu(h[:, :127]) * h[:, 127:])
    torch.testing.assert_close(ffn(x), ref, rtol=0, atol=0)


def test_gdfn_gradients_flow():
    ffn = MODELS.build(dict(type='GDFN', dim=8, expansion=2.0, bias=True))
    x = torch.randn(1, 8, 4, 4, requires_grad=True)
    ffn(x).sum().backward()
    assert x.grad.abs().sum() > 0
    assert all(p.grad is not None for p in ffn.parameters())
