"""Fused CPU selective scan (C kernel): oracle agreement, gradients, build, dispatch."""

import tempfile

import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.ssm import cpu_kernel, scan_dispatch
from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.models.ssm.mamba_block import MambaBlock
from inpaintzoo.models.ssm.scan_dispatch import (
    choose_scan_backend,
    selective_scan_fn,
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
GRAD_NAMES = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'delta_bias']


@pytest.fixture(autouse=True)
def _needs_kernel():
    """Every machine this project runs on has a C compiler; fail loudly if not."""
    assert load_kernel() is not None, 'the fused CPU scan kernel did not build'


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
    [(2, 4, 3, 130, 0), (2, 20, 5, 77, 2), (1, 17, 16, 200, 0), (3, 40, 16, 300, 1)],
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


def test_inference_fuses_gate_and_conv_with_the_same_result():
    """No-grad MambaBlock: conv+SiLU and (y + D u) silu(z) run in the kernel."""
    torch.manual_seed(1)
    for dtype, atol in ((F64, 1e-12), (torch.float32, 1e-5)):
        block = MambaBlock(40, d_state=8).to(dtype)
        x = torch.randn(2, 150, 40, dtype=dtype)
        with torch.no_grad():
            fused = block(x)
            set_scan_impl('chunked')
            try:
                plain = block(x)
            finally:
                set_scan_impl(None)
        torch.testing.assert_close(fused, plain, rtol=0, atol=atol)
        # the inference-fused scan equals the autograd path of the same kernel
        args = scan_kwargs(make_inputs(2, 40, 8, 90, seed=3, dtype=dtype), 'full')
        with torch.no_grad():
            gated = selective_scan_fused(**args)
        torch.testing.assert_close(
            gated, selective_scan_fused(**args), rtol=0, atol=atol
        )


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


def test_kernel_is_cached_per_source(tmp_path, monkeypatch):
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(tmp_path))
    load_kernel.cache_clear()
    try:
        assert load_kernel() is not None
        built = sorted(tmp_path.glob('selective_scan_cpu-*.so'))
        assert len(built) == 1
        stamp = built[0].stat().st_mtime_ns
        load_kernel.cache_clear()
        assert load_kernel() is not None
        assert built[0].stat().st_mtime_ns == stamp  # reused, not rebuilt
        assert list(tmp_path.iterdir()) == built  # no temporary files left
    finally:
        load_kernel.cache_clear()


def test_unwritable_cache_falls_back_to_temp(tmp_path, monkeypatch):
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('')
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(blocker / 'kernels'))
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path / 'tmp'))
    (tmp_path / 'tmp').mkdir()
    load_kernel.cache_clear()
    try:
        assert load_kernel() is not None
        assert len(list((tmp_path / 'tmp').glob('inpaintzoo-kernels-*/*.so'))) == 1
    finally:
        load_kernel.cache_clear()


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


def test_flush_to_zero_stays_inside_the_kernel():
    """The kernel flushes float32 denormals only while it runs (MXCSR restored)."""
    tiny = torch.tensor([1e-38], dtype=torch.float32)
    assert (tiny * 0.01).item() != 0.0  # denormal result kept before
    args = scan_kwargs(make_inputs(1, 16, 4, 100, seed=1, dtype=torch.float32), 'full')
    selective_scan_fused(**args)
    with torch.no_grad():
        selective_scan_fused(**args)
    assert (tiny * 0.01).item() != 0.0  # and after


@pytest.mark.parametrize(
    ('cc', 'message'), [('no-such-compiler-xyz', 'no C compiler'), ('false', 'failed')]
)
def test_without_a_working_compiler_falls_back(tmp_path, monkeypatch, cc, message):
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(tmp_path))
    monkeypatch.setenv('CC', cc)
    monkeypatch.delenv(scan_dispatch.ENV_VAR, raising=False)
    load_kernel.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match=message):
            assert load_kernel() is None
        inp = make_inputs(1, 4, 3, 30, seed=1)
        args = scan_kwargs(inp, 'full')
        assert choose_scan_backend(args['u'], 3) == 'chunked'
        torch.testing.assert_close(
            selective_scan_fn(**args),
            selective_scan_sequential(**args),
            rtol=0,
            atol=1e-10,
        )
        set_scan_impl('fused')
        with pytest.raises(RuntimeError, match='C compiler'):
            selective_scan_fn(**args)
    finally:
        set_scan_impl(None)
        load_kernel.cache_clear()
