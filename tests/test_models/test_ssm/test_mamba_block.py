"""MambaBlock: mamba-ssm parameter names, initialisation, forward maths, dtypes."""

import math

import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.ssm import MambaBlock, set_scan_impl
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


def expected_shapes(d_model, d_state=16, d_conv=4, expand=2):
    d_inner = expand * d_model
    rank = math.ceil(d_model / 16)
    return {
        'A_log': (d_inner, d_state),
        'D': (d_inner,),
        'in_proj.weight': (2 * d_inner, d_model),
        'conv1d.weight': (d_inner, 1, d_conv),
        'conv1d.bias': (d_inner,),
        'x_proj.weight': (rank + 2 * d_state, d_inner),
        'dt_proj.weight': (d_inner, rank),
        'dt_proj.bias': (d_inner,),
        'out_proj.weight': (d_model, d_inner),
    }


@pytest.mark.parametrize('d_model', [4, 48])
def test_parameter_names_and_shapes(d_model):
    block = MambaBlock(d_model)
    shapes = {k: tuple(v.shape) for k, v in block.state_dict().items()}
    assert shapes == expected_shapes(d_model)
    assert list(shapes) == list(expected_shapes(d_model))  # mamba-ssm key order


def test_names_match_official_full_size_keys(reference_dir):
    prefix = 'encoder_level1.0.mam.mamba.'
    official = {}
    for line in (reference_dir / 'mxt' / 'full_size_keys.txt').read_text().splitlines():
        parts = line.split('\t')
        if parts and parts[0].startswith(prefix):
            shape = tuple(int(s) for s in parts[1].strip('[]').split(','))
            official[parts[0][len(prefix) :]] = shape
    assert official, 'no mamba keys found in the fixture listing'
    block = MambaBlock(48)
    assert {k: tuple(v.shape) for k, v in block.state_dict().items()} == official


def test_loads_official_fixture_weights(reference_dir):
    sd = torch.load(
        reference_dir / 'mxt' / 'generator_state_dict.pt', weights_only=True
    )
    prefix = 'encoder_level1.0.mam.mamba.'
    sub = {k[len(prefix) :]: v for k, v in sd.items() if k.startswith(prefix)}
    block = MambaBlock(4)
    block.load_state_dict(sub, strict=True)
    torch.testing.assert_close(block.A_log, sub['A_log'])


def test_registered():
    block = MODELS.build({'type': 'MambaBlock', 'd_model': 8, 'd_state': 4})
    assert isinstance(block, MambaBlock)
    assert block.d_inner == 16
    assert block.dt_rank == 1


def test_initialisation_statistics():
    torch.manual_seed(0)
    block = MambaBlock(64, dt_min=0.002, dt_max=0.05)
    expected_a = torch.log(torch.arange(1, 17, dtype=torch.float32)).expand(128, 16)
    torch.testing.assert_close(block.A_log.detach(), expected_a, rtol=0, atol=0)
    assert torch.equal(block.D.detach(), torch.ones(128))
    dt = F.softplus(block.dt_proj.bias.detach().double())
    assert dt.min() >= 0.002 * (1 - 1e-5)
    assert dt.max() <= 0.05 * (1 + 1e-5)
    assert dt.std() > 0  # random, not constant
    bound = block.dt_rank**-0.5
    w = block.dt_proj.weight.detach()
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.8 * bound
    const = MambaBlock(64, dt_init='constant', dt_scale=2.0)
    assert torch.allclose(
        const.dt_proj.weight, torch.full_like(const.dt_proj.weight, 2 * 0.5)
    )
    floored = MambaBlock(8, dt_min=1e-6, dt_max=2e-6, dt_init_floor=1e-4)
    torch.testing.assert_close(
        F.softplus(floored.dt_proj.bias.detach().double()),
        torch.full((16,), 1e-4, dtype=torch.float64),
        rtol=1e-5,
        atol=0,
    )
    assert block.in_proj.bias is None
    assert block.out_proj.bias is None
    assert block.conv1d.bias is not None


def explicit_mamba(block, u):
    """§1.5 written out step by step with a per-token loop (independent oracle)."""
    p = {k: v.double() for k, v in block.state_dict().items()}
    u = u.double()
    batch, length, _ = u.shape
    d_inner, n_state, rank, k = (
        block.d_inner,
        block.d_state,
        block.dt_rank,
        block.d_conv,
    )
    xz = u @ p['in_proj.weight'].t()
    x, z = xz[..., :d_inner], xz[..., d_inner:]
    xpad = torch.cat([x.new_zeros(batch, k - 1, d_inner), x], dim=1)
    w = p['conv1d.weight'][:, 0, :]  # (Di, k)
    conv = (
        torch.stack(
            [(xpad[:, t : t + k, :] * w.t()).sum(1) for t in range(length)], dim=1
        )
        + p['conv1d.bias']
    )
    x = F.silu(conv)
    dbl = x @ p['x_proj.weight'].t()
    dt, bm, cm = (
        dbl[..., :rank],
        dbl[..., rank : rank + n_state],
        dbl[..., rank + n_state :],
    )
    delta = F.softplus(dt @ p['dt_proj.weight'].t() + p['dt_proj.bias'])
    a = -torch.exp(p['A_log'])
    h = u.new_zeros(batch, d_inner, n_state)
    ys = []
    for t in range(length):
        h = torch.exp(delta[:, t, :, None] * a) * h + (
            delta[:, t, :, None] * bm[:, t, None, :] * x[:, t, :, None]
        )
        ys.append((h * cm[:, t, None, :]).sum(-1) + p['D'] * x[:, t])
    y = torch.stack(ys, dim=1) * F.silu(z)
    return y @ p['out_proj.weight'].t()


def perturbed_block(d_model, seed=0):
    torch.manual_seed(seed)
    block = MambaBlock(d_model)
    with torch.no_grad():
        block.D.add_(0.3 * torch.randn_like(block.D))
        block.conv1d.bias.add_(0.2 * torch.randn_like(block.conv1d.bias))
        block.A_log.add_(0.1 * torch.randn_like(block.A_log))
    return block


@pytest.mark.parametrize('impl', ['auto', 'reference'])
def test_forward_matches_explicit_float64(impl):
    block = perturbed_block(8).double()
    u = torch.randn(2, 37, 8, dtype=torch.float64)
    set_scan_impl(impl)
    try:
        out = block(u)
    finally:
        set_scan_impl(None)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, explicit_mamba(block, u), rtol=0, atol=1e-12)


def test_causality():
    block = perturbed_block(4).double()
    u = torch.randn(1, 20, 4, dtype=torch.float64)
    u2 = u.clone()
    u2[:, 12:] += 1.0
    out, out2 = block(u), block(u2)
    torch.testing.assert_close(out[:, :12], out2[:, :12], rtol=0, atol=0)
    assert (out[:, 12:] - out2[:, 12:]).abs().max() > 1e-3


def test_float32_module_float64_input_and_half_inputs():
    block = perturbed_block(8)
    u = torch.randn(1, 30, 8)
    ref = explicit_mamba(block, u)
    out32 = block(u)
    assert out32.dtype == torch.float32
    torch.testing.assert_close(out32.double(), ref, rtol=0, atol=1e-5)
    out64 = block(u.double())  # float32 weights, float64 maths
    assert out64.dtype == torch.float64
    torch.testing.assert_close(out64, ref, rtol=0, atol=1e-6)
    for dtype in (torch.float16, torch.bfloat16):
        out = block.to(dtype)(u.to(dtype))
        assert out.dtype == dtype
        torch.testing.assert_close(out.double(), ref, rtol=0, atol=5e-2)
        block = block.float()


def test_autocast_is_disabled_inside():
    block = perturbed_block(8)
    u = torch.randn(1, 25, 8)
    plain = block(u)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        auto = block(u)
    assert auto.dtype == torch.float32
    torch.testing.assert_close(auto, plain, rtol=0, atol=0)


def test_backward_reaches_every_parameter():
    block = perturbed_block(4)
    block(torch.randn(2, 70, 4)).square().mean().backward()
    for name, param in block.named_parameters():
        assert param.grad is not None, name
        assert param.grad.abs().sum() > 0, name


def test_bad_arguments():
    with pytest.raises(ConfigError, match='dt_init'):
        MambaBlock(8, dt_init='normal')
    with pytest.raises(ConfigError, match='dt_rank'):
        MambaBlock(8, dt_rank=0)
    with pytest.raises(ValueError, match='expects'):
        MambaBlock(8)(torch.randn(2, 8, 5))


@pytest.mark.parametrize('reason', ['use_fast_path=False', 'no causal-conv1d'])
def test_cuda_path_without_fused_inner_fn_runs_on_cpu(monkeypatch, reason):
    """The mamba-ssm branch without ``mamba_inner_fn`` (``use_fast_path=False`` or
    causal-conv1d missing) used to call a removed ``_causal_conv``."""
    from inpaintzoo.models.ssm import mamba_block

    block = perturbed_block(8).double()
    u = torch.randn(2, 37, 8, dtype=torch.float64, requires_grad=True)
    monkeypatch.setattr(mamba_block, 'use_cuda_kernels', lambda x: True)
    inner_calls = []
    monkeypatch.setattr(
        mamba_block,
        'load_mamba_inner_fn',
        lambda: lambda *a, **k: inner_calls.append(1),
    )
    if reason == 'use_fast_path=False':
        block.use_fast_path = False
    else:
        monkeypatch.setattr(mamba_block, 'load_causal_conv1d_fn', lambda: None)
    out = block(u)
    assert inner_calls == []
    torch.testing.assert_close(out, explicit_mamba(block, u), rtol=0, atol=1e-12)
    out.sum().backward()
    assert u.grad is not None
    assert block.conv1d.weight.grad.abs().sum() > 0


def test_half_parameters_with_float32_or_half_inputs():
    """A ``.half()`` / ``.bfloat16()`` block computes in float32 whatever the
    input dtype (float32 from a mixer that upcasts, or the low-precision one)."""
    ref_block = perturbed_block(8)
    u = torch.randn(2, 30, 8)
    ref = explicit_mamba(ref_block, u)
    for dtype in (torch.float16, torch.bfloat16):
        block = perturbed_block(8).to(dtype)
        expected = explicit_mamba(block, u)  # the rounded weights, in float64
        for x in (u, u.to(dtype)):
            with torch.no_grad():
                out = block(x)
            assert out.dtype == x.dtype
            torch.testing.assert_close(out.double(), expected, rtol=0, atol=5e-2)
        assert (expected - ref).abs().max() < 0.5  # sanity: same block, rounded


@pytest.mark.slow  # float16/bfloat16 convolutions are slow on the CPU
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_mxt_generator_runs_in_half_precision_on_cpu(dtype):
    """MxT (MambaLayer + MambaBlock) in ``.half()`` / ``.bfloat16()`` on the CPU,
    as HINT and SEM-Net do; close to the float32 model."""
    from mmengine.config import Config

    import inpaintzoo.models  # noqa: F401  (registers the generator parts)
    from tests.conftest import REPO_ROOT

    cfg = Config.fromfile(REPO_ROOT / 'configs/mxt/mxt-tiny_1xb4-300_demo-64x64.py')
    torch.manual_seed(0)
    gen = MODELS.build(cfg.model.generator).eval()
    img = torch.rand(1, gen.in_channels, 16, 16)
    mask = torch.zeros(1, 1, 16, 16)
    mask[..., 4:10, 4:12] = 1
    with torch.no_grad():
        ref = gen(img, mask)
        out = gen.to(dtype)(img.to(dtype), mask.to(dtype))
    assert out.dtype == dtype
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out.float(), ref, rtol=0, atol=3e-2)
