"""Fused CPU selective scan (C kernel): oracle agreement, gradients, build, dispatch."""

import platform

import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.ssm import cpu_kernel, scan_dispatch, scan_fused
from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.models.ssm.mamba_block import MambaBlock
from inpaintzoo.models.ssm.scan_chunked import selective_scan_chunked
from inpaintzoo.models.ssm.scan_dispatch import (
    choose_scan_backend,
    set_scan_impl,
)
from inpaintzoo.models.ssm.scan_fused import (
    causal_conv_silu_fused,
    fused_scan_supported,
    selective_scan_fused,
)
from inpaintzoo.models.ssm.scan_reference import selective_scan_sequential
from tests.test_models.test_ssm.test_selective_scan import make_inputs, scan_kwargs

F64 = torch.float64
F32 = torch.float32
GRAD_NAMES = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'delta_bias']


@pytest.fixture(autouse=True)
def _needs_kernel():
    """Skip without a C compiler (the fallback is tested in test_kernel_cache.py);
    with one, a kernel that does not build is a failure."""
    if load_kernel() is None:
        if cpu_kernel._compiler() is None:
            pytest.skip('no C compiler: the fused CPU kernel cannot be built here')
        pytest.fail('a C compiler is present but the fused CPU kernel did not build')


@pytest.mark.parametrize('length', [1, 2, 17, 64, 65, 255, 1000, 4097])
@pytest.mark.parametrize(('dim', 'groups'), [(4, 0), (40, 2), (17, 0), (32, 1)])
def test_forward_matches_oracle(length, dim, groups):
    inp = make_inputs(2, dim, 5, length, groups=groups, seed=length + dim)
    for variant in ('plain', 'full'):
        args = scan_kwargs(inp, variant)
        ref, ref_h = selective_scan_sequential(**args, return_last_state=True)
        out, h = selective_scan_fused(**args, return_last_state=True)
        assert out.shape == (2, dim, length)
        torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)
        torch.testing.assert_close(h, ref_h, rtol=0, atol=1e-10)


@pytest.mark.slow
def test_long_sequence_and_float32():
    inp = make_inputs(1, 20, 16, 65536, seed=3)
    args = scan_kwargs(inp, 'full')
    ref = selective_scan_sequential(**args)
    torch.testing.assert_close(selective_scan_fused(**args), ref, rtol=0, atol=1e-9)
    args32 = {k: v.float() if torch.is_tensor(v) else v for k, v in args.items()}
    out32 = selective_scan_fused(**args32)
    assert out32.dtype == torch.float32
    torch.testing.assert_close(out32.double(), ref, rtol=0, atol=1e-4)


def test_bfloat16_runs_in_float32():
    inp = make_inputs(1, 8, 4, 50, seed=4)
    args = {
        k: v.to(torch.bfloat16) if torch.is_tensor(v) else v
        for k, v in scan_kwargs(inp, 'full').items()
    }
    out = selective_scan_fused(**args)
    assert out.dtype == torch.bfloat16
    ref = selective_scan_sequential(**args)
    torch.testing.assert_close(out, ref, rtol=0, atol=2e-2)


def test_softplus_and_bias_inside_the_kernel():
    """L = 1, A = 0, B = C = u = 1: the output is softplus(delta + bias) + D."""
    x = torch.linspace(-40, 40, 4001, dtype=F64)
    x = torch.cat([x, torch.tensor([19.999, 20.0, 20.001, 1e-12, -1e-12], dtype=F64)])
    dim = x.numel()
    one = torch.ones(1, 1, 1, dtype=F64)
    for dtype, atol in ((F64, 1e-14), (torch.float32, 2e-6)):
        out = selective_scan_fused(
            torch.ones(1, dim, 1, dtype=dtype),
            (x - 0.5).to(dtype).view(1, dim, 1),
            torch.zeros(dim, 1, dtype=dtype),
            one.to(dtype),
            one.to(dtype),
            delta_bias=torch.full((dim,), 0.5, dtype=dtype),
            delta_softplus=True,
        )
        ref = F.softplus(x.to(dtype)).double()
        torch.testing.assert_close(
            out.view(-1).double(), ref, rtol=4 * torch.finfo(dtype).eps, atol=atol
        )


@pytest.mark.parametrize(
    ('batch', 'dim', 'n_state', 'length', 'groups'),
    [
        (2, 4, 3, 130, 0),
        (2, 20, 5, 77, 2),
        (1, 17, 16, 200, 0),
        pytest.param(3, 40, 16, 300, 1, marks=pytest.mark.slow),  # oracle autograd
    ],
)
def test_backward_matches_oracle(batch, dim, n_state, length, groups):
    inp = make_inputs(batch, dim, n_state, length, groups=groups, seed=11)
    inp['delta'][0, 0, :4] = torch.tensor([25.0, 19.9, -30.0, 0.0])  # softplus ends
    grads = []
    for fn in (selective_scan_sequential, selective_scan_fused):
        leaves = {k: inp[k].clone().requires_grad_() for k in GRAD_NAMES}
        out, h = fn(**leaves, delta_softplus=True, return_last_state=True)
        weight = torch.linspace(-1, 1, out.numel(), dtype=F64).view_as(out)
        ((out * weight).sum() + h.square().sum()).backward()
        grads.append({k: leaves[k].grad for k in GRAD_NAMES})
    for k in GRAD_NAMES:
        assert grads[0][k].abs().max() > 0, k
        torch.testing.assert_close(grads[1][k], grads[0][k], rtol=0, atol=1e-9, msg=k)


@pytest.mark.parametrize(
    ('dim', 'n_state', 'groups'),
    # float32 vectors hold 8 lanes: the B / C gradient sums are reduced 8 states at
    # a time, so: one full block, full blocks + a tail, a tail alone, with groups
    [(17, 8, 0), (20, 19, 2), (16, 5, 0), (33, 16, 1)],
)
def test_float32_backward_matches_float64_oracle(dim, n_state, groups):
    """The float32 kernel's gradients (its own lane reductions) against the
    float64 oracle, to float32 accuracy."""
    inp = make_inputs(2, dim, n_state, 90, groups=groups, seed=12)
    grads = []
    for fn, dtype in ((selective_scan_sequential, F64), (selective_scan_fused, F32)):
        leaves = {k: inp[k].to(dtype, copy=True).requires_grad_() for k in GRAD_NAMES}
        out, h = fn(**leaves, delta_softplus=True, return_last_state=True)
        weight = torch.linspace(-1, 1, out.numel(), dtype=dtype).view_as(out)
        ((out * weight).sum() + h.square().sum()).backward()
        grads.append({k: leaves[k].grad.double() for k in GRAD_NAMES})
    for k in GRAD_NAMES:
        scale = grads[0][k].abs().max().item()
        assert scale > 0, k
        torch.testing.assert_close(
            grads[1][k], grads[0][k], rtol=0, atol=2e-5 * scale, msg=k
        )


def _kernel_exp(x: torch.Tensor) -> torch.Tensor:
    """exp(x) as the kernel computes its decays: a 2-step scan with A = x and
    delta = 1 whose second output is exp(A) (state 1 after step 0, no input at
    step 1)."""
    d = x.numel()
    u = torch.zeros(1, d, 2, dtype=x.dtype)
    u[..., 0] = 1
    ones = torch.ones(1, 1, 2, dtype=x.dtype)
    with torch.no_grad():
        y = selective_scan_fused(u, torch.ones_like(u), x[:, None], ones, ones)
    return y[0, :, 1]


def test_float32_exp_within_one_ulp():
    """The kernel's float32 exp (range reduction + polynomial) is within one ulp
    of the exact value over the whole range it does not clamp, and keeps NaN."""
    x = torch.cat([torch.linspace(-87, 88, 20001), torch.linspace(-1, 1, 4001)])
    ours = _kernel_exp(x).double()
    exact = torch.exp(x.double())
    ulp = torch.nextafter(exact.float(), torch.tensor(float('inf'))).double()
    ulp = ulp - exact.float().double()
    assert ((ours - exact).abs() / ulp).max() < 1.0
    edge = _kernel_exp(torch.tensor([-200.0, 100.0, float('nan')]))
    assert edge[0] < 1e-37
    assert torch.isfinite(edge[1])
    assert edge[2].isnan()


def test_backward_without_softplus_and_unused_state():
    inp = make_inputs(1, 6, 4, 70, seed=2)
    grads = []
    for fn in (selective_scan_sequential, selective_scan_fused):
        leaves = {k: inp[k].clone().requires_grad_() for k in ('u', 'A', 'B', 'C')}
        out = fn(leaves['u'], inp['delta'].abs(), leaves['A'], leaves['B'], leaves['C'])
        out.square().sum().backward()
        grads.append([leaves[k].grad for k in ('u', 'A', 'B', 'C')])
    for ours, ref in zip(grads[1], grads[0]):
        torch.testing.assert_close(ours, ref, rtol=0, atol=1e-9)


def test_backward_through_last_state_only():
    """Only the last state is used: the output's gradient reaches the kernel as None."""
    inp = make_inputs(2, 18, 4, 130, seed=6)
    grads = []
    for fn in (selective_scan_sequential, selective_scan_fused):
        leaves = {k: inp[k].clone().requires_grad_() for k in ('u', 'delta', 'B')}
        _, h = fn(**{**inp, **leaves}, delta_softplus=True, return_last_state=True)
        h.square().sum().backward()
        grads.append([leaves[k].grad for k in ('u', 'delta', 'B')])
    for ours, ref in zip(grads[1], grads[0]):
        assert ref.abs().max() > 0
        torch.testing.assert_close(ours, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize('groups', [0, 2])
def test_gradcheck_tiny(groups):
    inp = make_inputs(1, 2, 3, 9, groups=groups, seed=5)
    leaves = [inp[k].clone().requires_grad_() for k in GRAD_NAMES]

    def fn(*tensors):
        out, h = selective_scan_fused(
            **dict(zip(GRAD_NAMES, tensors)),
            delta_softplus=True,
            return_last_state=True,
        )
        return out, h

    assert torch.autograd.gradcheck(fn, leaves, eps=1e-6, atol=1e-7)


def test_result_does_not_depend_on_thread_count():
    inp = make_inputs(2, 40, 8, 500, seed=9, dtype=torch.float32)
    args = scan_kwargs(inp, 'full')
    threads = torch.get_num_threads()
    results = []
    try:
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            leaves = {k: args[k].clone().requires_grad_() for k in ('u', 'A', 'B')}
            out = selective_scan_fused(**{**args, **leaves})
            out.sum().backward()
            results.append((out.detach(), *(leaves[k].grad for k in ('u', 'A', 'B'))))
    finally:
        torch.set_num_threads(threads)
    for other in results[1:]:
        assert torch.equal(other[0], results[0][0])  # forward: bit-identical
        assert torch.equal(other[1], results[0][1])  # per-channel grads too
        for ours, ref in zip(other[2:], results[0][2:]):  # summed over threads
            torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-5)


def test_mamba_block_fused_equals_chunked():
    torch.manual_seed(0)
    block = MambaBlock(24, d_state=8).double()
    x = torch.randn(2, 300, 24, dtype=F64, requires_grad=True)
    outs, grads = [], []
    for impl in ('fused', 'chunked'):
        set_scan_impl(impl)
        try:
            x.grad = None
            block.zero_grad()
            out = block(x)
            out.square().sum().backward()
        finally:
            set_scan_impl(None)
        outs.append(out.detach())
        grads.append([x.grad.clone()] + [p.grad.clone() for p in block.parameters()])
    torch.testing.assert_close(outs[0], outs[1], rtol=0, atol=1e-12)
    for ours, ref in zip(grads[0], grads[1]):
        torch.testing.assert_close(ours, ref, rtol=0, atol=1e-10)


def test_inference_fuses_gate_and_conv_with_the_same_result(monkeypatch):
    """No-grad MambaBlock: conv+SiLU and (y + D u) silu(z) run in the kernel, and
    give what the PyTorch epilogue (autograd path) and the chunked scan give."""
    gates, convs = [], []
    real_apply, real_conv = scan_fused._FusedScanFn.apply, scan_fused._conv_params

    def spy_apply(*args):
        gates.append(args[-1] is not None)  # the gate tuple, None = PyTorch epilogue
        return real_apply(*args)

    def spy_conv(*args):
        convs.append(1)
        return real_conv(*args)

    monkeypatch.setattr(scan_fused._FusedScanFn, 'apply', spy_apply)
    monkeypatch.setattr(scan_fused, '_conv_params', spy_conv)
    torch.manual_seed(1)
    for dtype, atol in ((F64, 1e-12), (torch.float32, 1e-5)):
        block = MambaBlock(40, d_state=8).to(dtype)
        with torch.no_grad():
            block.D.uniform_(-2, 2)  # a wrong D skip must show
        x = torch.randn(2, 150, 40, dtype=dtype)
        gates.clear(), convs.clear()
        with torch.no_grad():
            fused = block(x)
        assert gates == [True]
        assert convs == [1]
        set_scan_impl('chunked')
        try:
            with torch.no_grad():
                plain = block(x)
        finally:
            set_scan_impl(None)
        torch.testing.assert_close(fused, plain, rtol=0, atol=atol)
        # the gate fused in the kernel equals the autograd path's PyTorch epilogue
        args = scan_kwargs(make_inputs(2, 40, 8, 90, seed=3, dtype=dtype), 'full')
        gates.clear()
        with torch.no_grad():
            gated = selective_scan_fused(**args)
        leaf = args['u'].clone().requires_grad_()
        epilogue = selective_scan_fused(**{**args, 'u': leaf})
        assert gates == [True, False]
        torch.testing.assert_close(gated, epilogue.detach(), rtol=0, atol=atol)
        ref = selective_scan_sequential(**args)
        torch.testing.assert_close(gated, ref, rtol=0, atol=atol)


@pytest.mark.parametrize(
    ('length', 'dim', 'ksize'), [(1, 5, 4), (3, 16, 4), (70, 37, 3)]
)
def test_causal_conv_silu_matches_conv1d(length, dim, ksize):
    torch.manual_seed(length)
    x = torch.randn(2, length, dim, dtype=F64)
    weight = torch.randn(dim, 1, ksize, dtype=F64)
    bias = torch.randn(dim, dtype=F64)
    ref = F.silu(
        F.conv1d(x.transpose(1, 2), weight, bias, padding=ksize - 1, groups=dim)[
            ..., :length
        ]
    ).transpose(1, 2)
    out = causal_conv_silu_fused(x, weight, bias)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-12)
    # a strided (B, L, D) view, float32, no bias
    wide = torch.randn(2, length, 2 * dim)
    view = wide[..., :dim]
    ref32 = F.silu(
        F.conv1d(
            view.transpose(1, 2), weight.float(), None, padding=ksize - 1, groups=dim
        )[..., :length]
    ).transpose(1, 2)
    torch.testing.assert_close(
        causal_conv_silu_fused(view, weight.float(), None), ref32, rtol=0, atol=1e-5
    )
    with pytest.raises(RuntimeError, match='no backward'):
        causal_conv_silu_fused(x.requires_grad_(), weight, bias)


# ------------------------------------------------------------- build / dispatch


def test_dispatch_prefers_fused_on_cpu(monkeypatch):
    monkeypatch.delenv(scan_dispatch.ENV_VAR, raising=False)
    u = torch.zeros(1, 2, 3)
    assert choose_scan_backend(u, 16) == 'fused'
    assert fused_scan_supported(u, 256)
    assert not fused_scan_supported(u, 257)
    assert choose_scan_backend(u, 257) == 'chunked'  # too many states for the kernel
    monkeypatch.setenv(scan_dispatch.ENV_VAR, 'chunked')
    assert choose_scan_backend(u, 16) == 'chunked'


def test_portable_build_without_native_flags_or_openmp(tmp_path, monkeypatch):
    """The last-resort flag set (no -march=native, no OpenMP) gives the same numbers."""
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(cpu_kernel, 'FLAG_SETS', (cpu_kernel.BASE_FLAGS,))
    load_kernel.cache_clear()
    try:
        lib = load_kernel()
        assert lib is not None
        assert lib.scan_has_openmp() == 0
        inp = make_inputs(2, 20, 6, 150, groups=2, seed=8)
        leaves = {k: inp[k].clone().requires_grad_() for k in GRAD_NAMES}
        out = selective_scan_fused(**leaves, delta_softplus=True)
        ref = selective_scan_sequential(**inp, delta_softplus=True)
        torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)
        out.sum().backward()
        assert all(leaves[k].grad is not None for k in GRAD_NAMES)
    finally:
        load_kernel.cache_clear()


@pytest.mark.skipif(
    platform.machine().lower() not in ('x86_64', 'amd64', 'i686', 'x86'),
    reason='flush-to-zero is set through the x86 MXCSR register only',
)
def test_flush_to_zero_inside_the_kernel_only():
    """float32 denormals are flushed while the kernel runs and kept outside it.

    One step, delta = C = 1, u = B = 1e-20: the state ``delta * u * B`` = 1e-40 is
    a float32 denormal, so the kernel (FTZ on) outputs 0 where PyTorch does not.
    """
    tiny = torch.tensor([1e-38], dtype=torch.float32)
    assert (tiny * 0.01).item() != 0.0  # denormal result kept before
    dim = 16
    one = torch.ones(1, 1, 1)
    small = torch.full((1, 1, 1), 1e-20)
    args = dict(
        u=torch.full((1, dim, 1), 1e-20),
        delta=torch.ones(1, dim, 1),
        A=-torch.ones(dim, 1),
        B=small,
        C=one,
    )
    assert selective_scan_sequential(**args).abs().min().item() > 0  # 1e-40 in torch
    for grad in (False, True):
        with torch.set_grad_enabled(grad):
            leaf = args['u'].clone().requires_grad_(grad)
            out = selective_scan_fused(**{**args, 'u': leaf})
        assert torch.count_nonzero(out).item() == 0, 'FTZ is not on in the kernel'
    assert (tiny * 0.01).item() != 0.0  # and MXCSR restored after


# ------------------------------------------------- broadcastable small arguments

BATCH, DIM, LENGTH = 2, 20, 37  # 20 channels: one full 16-lane block + a tail
SMALL_SHAPES = [
    ('D', (1,)),
    ('D', ()),
    ('delta_bias', (1,)),
    ('delta_bias', ()),
    ('z', (BATCH, 1, LENGTH)),
    ('z', (1, DIM, LENGTH)),
    ('z', (BATCH, DIM, 1)),
    ('z', (1, 1, LENGTH)),
    ('z', (DIM, LENGTH)),
    ('z', (LENGTH,)),
    ('z', ()),
]


@pytest.mark.parametrize(('name', 'shape'), SMALL_SHAPES)
def test_broadcastable_arguments_match_the_oracle(name, shape):
    """Smaller D / delta_bias / z give the oracle's result on the full-size tensor
    (the kernel used to read past their end: garbage, NaN, 1e225)."""
    inp = make_inputs(BATCH, DIM, 4, LENGTH, seed=21)
    args = scan_kwargs(inp, 'full')
    small = torch.randn(shape, dtype=F64, generator=torch.Generator().manual_seed(5))
    full = small.expand(args[name].shape)
    expected = selective_scan_sequential(**{**args, name: full.clone()})
    for impl in (selective_scan_sequential, selective_scan_chunked):
        torch.testing.assert_close(
            impl(**{**args, name: small}), expected, rtol=0, atol=1e-12
        )
    with torch.no_grad():  # the kernel epilogue (z) / bias inside the kernel
        torch.testing.assert_close(
            selective_scan_fused(**{**args, name: small}), expected, rtol=0, atol=1e-10
        )
    # autograd path: the gradient of the small tensor sums over the broadcast
    leaf, ref_leaf = small.clone().requires_grad_(), full.clone().requires_grad_()
    out = selective_scan_fused(**{**args, name: leaf})
    ref = selective_scan_sequential(**{**args, name: ref_leaf})
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)
    weight = torch.linspace(-1, 1, out.numel(), dtype=F64).view_as(out)
    (out * weight).sum().backward()
    (ref * weight).sum().backward()
    expected_grad = ref_leaf.grad.sum_to_size(shape) if shape else ref_leaf.grad.sum()
    torch.testing.assert_close(leaf.grad, expected_grad, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ('name', 'shape', 'message'),
    [
        ('D', (2,), r'D must have shape \(D=20,\)'),
        ('D', (20, 1), 'D must have shape'),
        ('delta_bias', (19,), 'delta_bias must have shape'),
        ('z', (BATCH, 3, LENGTH), 'z must broadcast'),
        ('z', (BATCH, DIM, LENGTH + 1), 'z must broadcast'),
    ],
)
def test_wrong_argument_shapes_are_refused_by_every_implementation(
    name, shape, message
):
    args = scan_kwargs(make_inputs(BATCH, DIM, 4, LENGTH, seed=1), 'full')
    args[name] = torch.zeros(shape, dtype=F64)
    for impl in (
        selective_scan_sequential,
        selective_scan_chunked,
        selective_scan_fused,
    ):
        with pytest.raises(ValueError, match=message):
            impl(**args)


@pytest.mark.parametrize(
    ('w_shape', 'b_shape'),
    [((1, 1, 4), (1,)), ((1, 4), None), ((DIM, 4), ()), ((DIM, 1, 4), (1,))],
)
def test_causal_conv_broadcasts_one_channel_weight_and_bias(w_shape, b_shape):
    x = torch.randn(2, 30, DIM, dtype=F64)
    weight = torch.randn(w_shape, dtype=F64)
    bias = None if b_shape is None else torch.randn(b_shape, dtype=F64)
    full_w = weight.reshape(weight.shape[0], 1, -1).expand(DIM, 1, -1)
    full_b = None if bias is None else bias.reshape(-1).expand(DIM)
    ref = F.silu(
        F.conv1d(x.transpose(1, 2), full_w, full_b, padding=3, groups=DIM)[..., :30]
    ).transpose(1, 2)
    out = causal_conv_silu_fused(x, weight, bias)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ('w_shape', 'b_shape', 'message'),
    [
        ((2, 1, 4), None, 'weight must be'),
        ((DIM, 2, 4), None, 'weight must be'),
        ((4,), None, 'weight must be'),
        ((DIM, 1, 4), (3,), 'bias must be'),
    ],
)
def test_causal_conv_refuses_short_weight_or_bias(w_shape, b_shape, message):
    x = torch.randn(1, 5, DIM, dtype=F64)
    bias = None if b_shape is None else torch.zeros(b_shape, dtype=F64)
    with pytest.raises(ValueError, match=message):
        causal_conv_silu_fused(x, torch.zeros(w_shape, dtype=F64), bias)


# ------------------------------------------------------------- double backward


def test_double_backward_names_the_limit_and_the_alternative():
    inp = make_inputs(1, 4, 3, 20, seed=2)
    args = scan_kwargs(inp, 'full')
    u = args['u'].clone().requires_grad_()
    out = selective_scan_fused(**{**args, 'u': u})
    (g_u,) = torch.autograd.grad(out.square().sum(), u, create_graph=True)
    # first-order gradients with create_graph are still right
    ref_u = args['u'].clone().requires_grad_()
    ref = selective_scan_sequential(**{**args, 'u': ref_u})
    (ref_g,) = torch.autograd.grad(ref.square().sum(), ref_u)
    torch.testing.assert_close(g_u.detach(), ref_g, rtol=0, atol=1e-9)
    assert g_u.requires_grad
    with pytest.raises(RuntimeError, match=r"no second derivative.*'chunked'"):
        g_u.sum().backward()
