"""The fused CPU depth-wise 3x3 kernel and where the layers use it."""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

import inpaintzoo.models  # noqa: F401  (registers the modules)
from inpaintzoo.models.layers import fused_cpu, fused_cpu_pointwise
from inpaintzoo.models.layers.attention import ChannelAttention
from inpaintzoo.models.layers.ffn import GDFN
from inpaintzoo.models.layers.fused_cpu import (
    depthwise3x3,
    depthwise_conv,
    gated_depthwise_conv,
    use_fused_cpu,
)
from inpaintzoo.models.layers.fused_cpu_pointwise import pointwise_conv
from inpaintzoo.models.layers.norm import ChannelLayerNorm
from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.registry import MODELS

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    load_kernel() is None, reason='no C compiler: the fused CPU kernel is not built'
)

SHAPES = [(1, 8, 5, 7), (2, 6, 1, 1), (1, 4, 1, 9), (1, 4, 9, 1), (3, 10, 16, 17)]


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('with_bias', [False, True])
def test_depthwise_equals_conv2d(shape, with_bias):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(shape, generator=gen)
    c = shape[1]
    w = torch.randn(c, 1, 3, 3, generator=gen)
    b = torch.randn(c, generator=gen) if with_bias else None
    ref = F.conv2d(x, w, b, padding=1, groups=c)
    torch.testing.assert_close(depthwise3x3(x, w, b), ref, rtol=1e-5, atol=1e-5)
    a, g = ref.chunk(2, dim=1)
    torch.testing.assert_close(
        depthwise3x3(x, w, b, gate=True), F.gelu(a) * g, rtol=1e-5, atol=1e-5
    )


def test_gelu_gate_over_the_whole_range():
    """Against float64 GELU from -100 to 100: erf tails, zero, the clamp of exp."""
    a = torch.cat([torch.linspace(-12, 12, 4801), torch.tensor([-100.0, 1e-8, 100.0])])
    x = torch.zeros(1, 2, 1, a.numel())
    x[0, 0, 0], x[0, 1, 0] = a, 1.0
    w = torch.zeros(2, 1, 3, 3)
    w[:, 0, 1, 1] = 1.0  # identity taps
    out = depthwise3x3(x, w, gate=True)[0, 0, 0]
    ref = F.gelu(a.double()).float()
    torch.testing.assert_close(out, ref, rtol=2e-6, atol=5e-7)
    tail = (a > -5) & (a < -1)  # 1 + erf(z) would cancel here: relative precision
    torch.testing.assert_close(out[tail], ref[tail], rtol=2e-6, atol=0)


def test_non_contiguous_input():
    x = torch.randn(1, 6, 8, 8).contiguous(memory_format=torch.channels_last)
    w = torch.randn(6, 1, 3, 3)
    ref = F.conv2d(x, w, padding=1, groups=6)
    torch.testing.assert_close(depthwise3x3(x, w), ref, rtol=1e-5, atol=1e-5)


def test_bad_arguments_are_named():
    x = torch.randn(1, 5, 4, 4)
    with pytest.raises(ValueError, match=r'\(5, 1, 3, 3\) weight'):
        depthwise3x3(x, torch.randn(5, 1, 5, 5))
    with pytest.raises(ValueError, match='bias must be'):
        depthwise3x3(x, torch.randn(5, 1, 3, 3), torch.randn(4))
    with pytest.raises(ValueError, match='even channel count'):
        depthwise3x3(x, torch.randn(5, 1, 3, 3), gate=True)


def _spy(monkeypatch):
    calls = []
    real = fused_cpu.depthwise3x3

    def spy(*args, **kwargs):
        calls.append(kwargs.get('gate', False))
        return real(*args, **kwargs)

    # the depth-wise layers call it from fused_cpu, the 1x1 + depth-wise ones
    # from fused_cpu_pointwise
    monkeypatch.setattr(fused_cpu, 'depthwise3x3', spy)
    monkeypatch.setattr(fused_cpu_pointwise, 'depthwise3x3', spy)
    return calls


@pytest.mark.parametrize('module', ['gdfn', 'attention'])
def test_layers_use_it_only_without_autograd(monkeypatch, module):
    torch.manual_seed(0)
    layer = GDFN(8) if module == 'gdfn' else ChannelAttention(8, 2)
    x = torch.randn(2, 8, 6, 10)
    calls = _spy(monkeypatch)
    with torch.no_grad():
        fused = layer(x)
    used = len(calls)
    assert used >= 1
    with torch.inference_mode():
        layer(x)
    assert len(calls) == 2 * used
    out = layer(x)  # training: grad through the weights
    assert len(calls) == 2 * used, (
        'the kernel has no backward: autograd must not reach it'
    )
    out.sum().backward()
    torch.testing.assert_close(fused, out.detach(), rtol=1e-5, atol=1e-5)
    monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
    with torch.no_grad():
        layer(x)
    assert len(calls) == 2 * used


@pytest.mark.parametrize('bias', [False, True])
@pytest.mark.parametrize(
    ('h', 'w', 'band_bytes'), [(13, 7, 400), (5, 9, 1), (6, 6, 1 << 20)]
)
def test_gated_ffn_bands_equal_the_whole_map(monkeypatch, bias, h, w, band_bytes):
    """Bands of 1, several and all rows (halo rows at the band edges, zero padding
    only at the map's edges), batch 2, with and without biases."""
    torch.manual_seed(0)
    layer = GDFN(6, expansion=2.0, bias=bias)
    x = torch.randn(2, 6, h, w)
    monkeypatch.setattr(fused_cpu_pointwise, 'FFN_BAND_BYTES', band_bytes)
    with torch.no_grad():
        out = layer(x)
        monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
        ref = layer(x)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)


def test_not_used_while_tracing_or_for_float64(monkeypatch):
    layer = GDFN(4).eval()
    calls = _spy(monkeypatch)
    with torch.no_grad():
        traced = torch.jit.trace(layer, torch.randn(1, 4, 4, 4), check_trace=False)
        assert 'aten::_convolution' in str(traced.inlined_graph)
        layer.double()(torch.randn(1, 4, 4, 4, dtype=torch.float64))
    assert calls == []


def test_other_convolutions_run_as_pytorch(monkeypatch):
    calls = _spy(monkeypatch)
    strided = nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4)
    dense = nn.Conv2d(4, 4, 3, padding=1)
    x = torch.randn(1, 4, 8, 8)
    with torch.no_grad():
        assert depthwise_conv(strided, x).shape == (1, 4, 4, 4)
        assert gated_depthwise_conv(dense, x).shape == (1, 2, 8, 8)
    assert calls == []


def test_environment_switch(monkeypatch):
    x = torch.randn(1, 2, 3, 3)
    monkeypatch.setenv(fused_cpu.ENV_VAR, 'maybe')
    with pytest.raises(ValueError, match='on or off'):
        use_fused_cpu(x)
    monkeypatch.setenv(fused_cpu.ENV_VAR, '0')
    assert not use_fused_cpu(x)
    monkeypatch.delenv(fused_cpu.ENV_VAR)
    with torch.no_grad():
        assert use_fused_cpu(x)


@pytest.mark.parametrize('centre', [True, False])
@pytest.mark.parametrize('shape', [(1, 1, 3, 3), (2, 7, 17, 19), (1, 96, 16, 20)])
def test_channel_layer_norm_equals_pytorch(monkeypatch, centre, shape):
    """Pixel counts that are not multiples of the kernel's 256-pixel blocks too."""
    torch.manual_seed(0)
    norm = ChannelLayerNorm(shape[1], bias=centre)
    with torch.no_grad():
        norm.weight.uniform_(0.5, 1.5)
        if centre:
            norm.bias.uniform_(-1, 1)
    x = torch.randn(shape) * 3 + 1
    monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
    with torch.no_grad():
        ref = norm(x)
    monkeypatch.delenv(fused_cpu.ENV_VAR)
    with torch.no_grad():
        out = norm(x)
    assert out.is_contiguous()
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    x_cl = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        torch.testing.assert_close(norm(x_cl), ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('bias', [False, True])
def test_pointwise_conv_equals_conv2d(bias):
    torch.manual_seed(0)
    conv = nn.Conv2d(6, 5, 1, bias=bias)
    x = torch.randn(3, 6, 7, 9)
    with torch.no_grad():
        out = pointwise_conv(conv, x)
        torch.testing.assert_close(out, conv(x), rtol=1e-5, atol=1e-5)
        assert out.is_contiguous()
        strided = nn.Conv2d(6, 5, 1, stride=2)  # not a plain 1x1: PyTorch's conv
        assert pointwise_conv(strided, x).shape == (3, 5, 4, 5)


@pytest.mark.parametrize(
    'config',
    [
        'configs/hint/hint_1xb4-300k_places2-256x256.py',
        'configs/mxt/mxt_places2.py',
        'configs/sem_net/sem_places2.py',
    ],
)
def test_whole_generator_same_with_and_without_fused_paths(monkeypatch, config):
    """Eval forward (the paper-size layer widths at dim 16) with the kernels on/off."""
    cfg = Config.fromfile(str(REPO / config))
    gen_cfg = cfg.model.generator
    gen_cfg.update(dim=16, num_blocks=[1, 1, 1, 1])
    torch.manual_seed(0)
    gen = MODELS.build(gen_cfg).eval()
    img = torch.rand(1, 3, 48, 40)
    mask = (torch.rand(1, 1, 48, 40) > 0.6).float()
    calls = _spy(monkeypatch)
    with torch.no_grad():
        out = gen(img, mask)
    assert calls, 'the fused kernel was not used'
    monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
    with torch.no_grad():
        ref = gen(img, mask)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize('bias', [False, True])
def test_residual_is_added_inside_the_product(bias):
    """``residual + conv(x)`` / ``residual + ffn(x)``: fast path vs PyTorch, batch 2."""
    torch.manual_seed(0)
    conv = nn.Conv2d(6, 5, 1, bias=bias)
    ffn = GDFN(6, expansion=2.0, bias=bias)
    x, res = torch.randn(2, 6, 7, 9), torch.randn(2, 5, 7, 9)
    res6 = torch.randn(2, 6, 7, 9)
    with torch.no_grad():
        out = pointwise_conv(conv, x, res)
        torch.testing.assert_close(out, res + conv(x), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(
            ffn(x, residual=res6), res6 + ffn(x), rtol=1e-5, atol=1e-5
        )
        # a residual that only broadcasts takes PyTorch's path, same meaning
        row = torch.randn(1, 5, 1, 9)
        torch.testing.assert_close(pointwise_conv(conv, x, row), row + conv(x))


def test_residual_with_autograd_never_reaches_the_fast_path():
    """A residual that needs a gradient (inputs and weights do not) keeps autograd."""
    torch.manual_seed(0)
    conv = nn.Conv2d(4, 4, 1, bias=False).requires_grad_(False)
    ffn = GDFN(4, expansion=2.0).requires_grad_(False)
    x = torch.randn(1, 4, 5, 6)
    res = torch.randn(1, 4, 5, 6, requires_grad=True)
    (pointwise_conv(conv, x, res).sum() + ffn(x, residual=res).sum()).backward()
    torch.testing.assert_close(res.grad, torch.full_like(res, 2.0))


@pytest.mark.parametrize('band_bytes', [1, 500, 1 << 20])
def test_pointwise_depthwise_bands_write_in_place(monkeypatch, band_bytes):
    """qkv 1x1 then depth-wise 3x3, banded straight into the output map."""
    torch.manual_seed(0)
    pw, dw = nn.Conv2d(5, 12, 1, bias=True), nn.Conv2d(12, 12, 3, padding=1, groups=12)
    x = torch.randn(2, 5, 11, 7)
    monkeypatch.setattr(fused_cpu_pointwise, 'FFN_BAND_BYTES', band_bytes)
    with torch.no_grad():
        out = fused_cpu_pointwise.pointwise_depthwise(x, pw, dw)
        torch.testing.assert_close(out, dw(pw(x)), rtol=1e-5, atol=1e-5)


def test_depthwise_writes_into_rows_of_a_larger_map():
    torch.manual_seed(0)
    x, weight = torch.randn(2, 4, 9, 6), torch.randn(4, 1, 3, 3)
    full = torch.full((2, 4, 9, 6), float('nan'))
    band = depthwise3x3(x, weight, rows=(3, 7), out=full[:, :, 3:7])
    assert band.data_ptr() == full[:, :, 3:7].data_ptr()
    ref = F.conv2d(x, weight, padding=1, groups=4)
    torch.testing.assert_close(full[:, :, 3:7], ref[:, :, 3:7], rtol=1e-5, atol=1e-5)
    assert full[:, :, :3].isnan().all()
    assert full[:, :, 7:].isnan().all()
    with pytest.raises(ValueError, match='contiguous rows'):
        depthwise3x3(x, weight, rows=(3, 7), out=full[:, :, 3:7, ::2])
    with pytest.raises(ValueError, match='contiguous rows'):
        depthwise3x3(x, weight, out=torch.empty(2, 4, 9, 6, dtype=torch.float64))


@pytest.mark.parametrize(('n', 'heads', 'h', 'w'), [(2, 2, 6, 10), (1, 1, 8, 8)])
def test_scal_inference_path_equals_pytorch(monkeypatch, n, heads, h, w):
    """SCAL: banded qkv, A v written over q, the half-resolution gate multiplied in
    place (its nearest x2 up-sampling), residual inside project_out."""
    torch.manual_seed(0)
    layer = MODELS.build(dict(type='SCAL', dim=8, num_heads=heads)).eval()
    with torch.no_grad():
        layer.temperature.uniform_(0.5, 1.5)
    x, res = torch.randn(n, 8, h, w), torch.randn(n, 8, h, w)
    with torch.no_grad():
        assert layer.inference_path(x)
        out = layer(x, residual=res)
        monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
        assert not layer.inference_path(x)
        ref = res + layer(x)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('bias', [False, True])
@pytest.mark.parametrize('with_residual', [False, True])
def test_pointwise_conv_concat_never_makes_the_concat(bias, with_residual):
    """MxT's fuse: ``residual + conv(cat(a, b))`` from the parts, batch 2."""
    torch.manual_seed(0)
    conv = nn.Conv2d(7, 4, 1, bias=bias)
    a, b = torch.randn(2, 3, 5, 6), torch.randn(2, 4, 5, 6)
    res = torch.randn(2, 4, 5, 6) if with_residual else None
    ref = conv(torch.cat([a, b], dim=1)).detach()
    ref = ref if res is None else res + ref
    with torch.no_grad():
        out = fused_cpu_pointwise.pointwise_conv_concat(conv, [a, b], residual=res)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    # autograd: PyTorch's path, gradients reach every part
    a.requires_grad_(True)
    fused_cpu_pointwise.pointwise_conv_concat(
        conv, [a, b], residual=res
    ).sum().backward()
    assert a.grad is not None
    with pytest.raises(RuntimeError):  # channels that do not add up: conv's own error
        fused_cpu_pointwise.pointwise_conv_concat(conv, [a.detach(), a.detach()])


def test_cbfn_residual_in_place_leaves_its_inputs_alone():
    torch.manual_seed(0)
    ffn = MODELS.build(dict(type='CBFN', dim=6)).eval()
    x, res = torch.randn(2, 6, 5, 7), torch.randn(2, 6, 5, 7)
    x0, res0 = x.clone(), res.clone()
    with torch.no_grad():
        out = ffn(x, residual=res)
        alone = ffn(x)
    assert torch.equal(x, x0)
    assert torch.equal(res, res0)
    torch.testing.assert_close(out, res + alone, rtol=0, atol=1e-6)
    train = ffn(x, residual=res)  # autograd path: the same additions
    torch.testing.assert_close(train.detach(), out, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('bias', [False, True])
def test_fusion_with_a_half_resolution_part(bias):
    """1x1 conv of cat(full, up2(half)) = conv of full + up2(conv of half)."""
    torch.manual_seed(0)
    conv = nn.Conv2d(5, 4, 1, bias=bias)
    full, half = torch.randn(2, 3, 6, 8), torch.randn(2, 2, 3, 4)
    up = F.interpolate(half, scale_factor=2, mode='nearest')
    with torch.no_grad():
        ref = conv(torch.cat([full, up], dim=1))
        out = fused_cpu_pointwise.pointwise_conv_with_half(conv, full, half)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)


def test_sefn_inference_path_equals_pytorch(monkeypatch):
    torch.manual_seed(0)
    ffn = MODELS.build(dict(type='SEFN', dim=6, bias=True)).eval()
    x, sp, res = (torch.randn(2, 6, 6, 10) for _ in range(3))
    with torch.no_grad():
        out = ffn(x, spatial=sp, residual=res)
        monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
        ref = res + ffn(x, spatial=sp)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)


def test_weight_columns_keep_their_gradient():
    """``pointwise_conv(conv, x, weight=...)`` on the autograd path: grads reach it."""
    torch.manual_seed(0)
    conv = nn.Conv2d(5, 4, 1, bias=True)
    x = torch.randn(1, 3, 4, 4)
    out = pointwise_conv(conv, x, weight=conv.weight[:, :3])
    ref = F.conv2d(x, conv.weight[:, :3], conv.bias)
    torch.testing.assert_close(out, ref)
    out.sum().backward()
    assert conv.weight.grad[:, :3].abs().sum() > 0
    assert conv.weight.grad[:, 3:].abs().sum() == 0
    with torch.no_grad():
        fast = pointwise_conv(conv, x, weight=conv.weight[:, :3])
    torch.testing.assert_close(fast, ref.detach())


def test_subclass_without_residual_is_called_the_plain_way():
    """A user's GDFN variant whose forward has no ``residual`` still works in blocks."""
    from inpaintzoo.models.layers.blocks import add_residual

    class MyFFN(GDFN):
        def forward(self, x):
            return 2 * super().forward(x)

    torch.manual_seed(0)
    ffn = MyFFN(4).eval()
    x, inp = torch.randn(1, 4, 5, 5), torch.randn(1, 4, 5, 5)
    with torch.no_grad():
        torch.testing.assert_close(add_residual(x, ffn, inp), x + ffn(inp))
        plain = GDFN(4).eval()
        torch.testing.assert_close(
            add_residual(x, plain, inp), x + plain(inp), rtol=1e-5, atol=1e-5
        )


def test_scal_with_a_gate_subclass_that_changes_forward():
    """A SpatialGate subclass with its own forward is used as written."""
    from inpaintzoo.models.layers.attention import SpatialGate

    class Halved(SpatialGate):
        def forward(self, x):
            return 0.5 * super().forward(x)

    torch.manual_seed(0)
    layer = MODELS.build(dict(type='SCAL', dim=8, num_heads=2)).eval()
    plain = layer.spatial
    x = torch.randn(1, 8, 6, 6)
    with torch.no_grad():
        ref = layer(x)
        layer.spatial = Halved(8)
        layer.spatial.load_state_dict(plain.state_dict())
        out = layer(x)
    # project_out is linear: halving the gate halves the output
    torch.testing.assert_close(out, 0.5 * ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('layout', ['nchw', 'channels_last', 'strided'])
def test_channel_columns_views_without_copying(layout):
    """(N, C, H*W) of a map: a view of NCHW or channels-last storage, else a copy."""
    x = torch.randn(2, 5, 4, 6)
    if layout == 'channels_last':
        x = x.contiguous(memory_format=torch.channels_last)
    elif layout == 'strided':
        x = torch.randn(2, 5, 4, 12)[..., ::2]
    cols = fused_cpu_pointwise.channel_columns(x)
    torch.testing.assert_close(cols, x.reshape(2, 5, 24), rtol=0, atol=0)
    shares = cols.data_ptr() == x.data_ptr() and cols._base is not None
    assert shares == (layout != 'strided')


@pytest.mark.parametrize('bias', [False, True])
def test_channels_last_parts_are_multiplied_in_place(monkeypatch, bias):
    """A Mamba mixer's channels-last output goes into the fuse product uncopied."""
    torch.manual_seed(0)
    conv = nn.Conv2d(7, 4, 1, bias=bias)
    a = torch.randn(2, 3, 5, 6).contiguous(memory_format=torch.channels_last)
    b, res = torch.randn(2, 4, 5, 6), torch.randn(2, 4, 5, 6)
    with torch.no_grad():
        ref = res + conv(torch.cat([b, a], dim=1))
        copies = []
        real = torch.Tensor.contiguous

        def spy(t, *args, **kwargs):
            if t.data_ptr() == a.data_ptr():
                copies.append(t.shape)
            return real(t, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, 'contiguous', spy)
        out = fused_cpu_pointwise.pointwise_conv_concat(conv, [b, a], residual=res)
        alone = fused_cpu_pointwise.pointwise_conv(conv, torch.cat([b, a], 1))
    assert not copies
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(alone, ref - res, rtol=1e-5, atol=1e-5)
