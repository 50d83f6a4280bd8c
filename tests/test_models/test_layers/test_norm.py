import pytest
import torch

from inpaintzoo.registry import MODELS


def _official_with_bias(x, w, b, eps=1e-5):
    # official: (N, HW, C) view, mean/biased var over C, eps inside the sqrt
    n, c, h, wd = x.shape
    t = x.permute(0, 2, 3, 1).reshape(n, h * wd, c)
    mu = t.mean(-1, keepdim=True)
    var = t.var(-1, keepdim=True, unbiased=False)
    y = (t - mu) / torch.sqrt(var + eps) * w + b
    return y.reshape(n, h, wd, c).permute(0, 3, 1, 2)


def _official_bias_free(x, w, eps=1e-5):
    var = x.var(1, keepdim=True, unbiased=False)
    return x / torch.sqrt(var + eps) * w[:, None, None]


@pytest.mark.parametrize('bias', [True, False])
def test_channel_layer_norm_matches_formula(bias):
    torch.manual_seed(0)
    norm = MODELS.build(dict(type='ChannelLayerNorm', dim=6, bias=bias)).double()
    with torch.no_grad():
        norm.weight.normal_()
        if bias:
            norm.bias.normal_()
    x = torch.randn(2, 6, 5, 3, dtype=torch.float64) * 3 + 1
    y = norm(x)
    ref = (
        _official_with_bias(x, norm.weight, norm.bias)
        if bias
        else _official_bias_free(x, norm.weight)
    )
    torch.testing.assert_close(y, ref, rtol=0, atol=1e-12)
    assert y.shape == x.shape
    assert [k for k, _ in norm.named_parameters()] == (
        ['weight', 'bias'] if bias else ['weight']
    )


def test_bias_free_does_not_centre():
    norm = MODELS.build(dict(type='ChannelLayerNorm', dim=4, bias=False)).double()
    x = torch.full((1, 4, 2, 2), 5.0, dtype=torch.float64)
    x[:, 0] = 7.0
    assert norm(x).mean().item() > 1.0  # mean is not removed
