"""Selective scan: chunked fast path vs the sequential float64 oracle, dispatch."""

import sys
import types

import pytest
import torch

from inpaintzoo.models.ssm import scan_dispatch
from inpaintzoo.models.ssm.scan_chunked import (
    default_chunk_size,
    selective_scan_chunked,
)
from inpaintzoo.models.ssm.scan_dispatch import (
    choose_scan_backend,
    selective_scan_fn,
    set_scan_impl,
)
from inpaintzoo.models.ssm.scan_reference import selective_scan_sequential

F64 = torch.float64


def make_inputs(batch, dim, n_state, length, groups=0, seed=0, dtype=F64):
    """Random scan inputs; groups=0 means the ungrouped (Bt, N, L) layout."""
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape):
        return torch.randn(*shape, generator=g, dtype=dtype)

    bc_shape = (
        (batch, n_state, length) if groups == 0 else (batch, groups, n_state, length)
    )
    return {
        'u': rnd(batch, dim, length),
        'delta': rnd(batch, dim, length) * 0.5 - 1.0,
        'A': -torch.rand(dim, n_state, generator=g, dtype=dtype) * 4 - 0.1,
        'B': rnd(*bc_shape),
        'C': rnd(*bc_shape),
        'D': rnd(dim),
        'z': rnd(batch, dim, length),
        'delta_bias': rnd(dim) * 0.5,
    }


def scan_kwargs(inp, variant):
    """The argument subset for a variant: plain, D only, z only or all + softplus."""
    args = {k: inp[k] for k in ('u', 'delta', 'A', 'B', 'C')}
    if variant in ('D', 'full'):
        args['D'] = inp['D']
    if variant in ('z', 'full'):
        args['z'] = inp['z']
    if variant == 'full':
        args.update(delta_bias=inp['delta_bias'], delta_softplus=True)
    else:
        args['delta'] = args['delta'].abs()  # keep the plain scan stable
    return args


@pytest.mark.parametrize('length', [1, 2, 3, 17, 64, 255, 1000, 4097])
@pytest.mark.parametrize('groups', [0, 2])
def test_chunked_matches_oracle_lengths(length, groups):
    inp = make_inputs(2, 4, 3, length, groups=groups, seed=length)
    args = scan_kwargs(inp, 'full')
    ref, ref_h = selective_scan_sequential(**args, return_last_state=True)
    with torch.no_grad():
        out, h = selective_scan_chunked(**args, return_last_state=True)
    assert out.shape == (2, 4, length)
    assert h.shape == (2, 4, 3)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)
    torch.testing.assert_close(h, ref_h, rtol=0, atol=1e-10)


@pytest.mark.parametrize('variant', ['plain', 'D', 'z', 'full'])
@pytest.mark.parametrize(
    ('batch', 'dim', 'n_state', 'groups'),
    [(1, 8, 16, 0), (2, 6, 4, 0), (1, 8, 16, 4), (3, 4, 2, 1)],
)
def test_chunked_matches_oracle_variants(variant, batch, dim, n_state, groups):
    inp = make_inputs(batch, dim, n_state, 300, groups=groups, seed=dim + n_state)
    args = scan_kwargs(inp, variant)
    ref = selective_scan_sequential(**args)
    for chunk, budget in [(None, 2**24), (16, 16 * batch * dim * n_state * 3), (7, 1)]:
        with torch.no_grad():
            out = selective_scan_chunked(**args, chunk_size=chunk, block_budget=budget)
        torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)


@pytest.mark.slow
def test_long_sequence_65536(monkeypatch):
    inp = make_inputs(1, 2, 2, 65536, seed=3)
    args = scan_kwargs(inp, 'full')
    steps = []
    real_einsum = torch.einsum

    def counting_einsum(*a, **k):
        steps.append(1)
        return real_einsum(*a, **k)

    monkeypatch.setattr(torch, 'einsum', counting_einsum)
    with torch.no_grad():
        out, h = selective_scan_chunked(**args, return_last_state=True)
    monkeypatch.undo()
    ref, ref_h = selective_scan_sequential(**args, return_last_state=True)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-9)
    torch.testing.assert_close(h, ref_h, rtol=0, atol=1e-9)
    # not a Python loop over L: one output contraction per step of a 64-step chunk,
    # for all 1,024 chunks at once (speed itself: tools/analysis/)
    assert len(steps) == 64


@pytest.mark.parametrize(('length', 'groups', 'chunk'), [(130, 0, 16), (77, 2, None)])
def test_backward_matches_oracle(length, groups, chunk):
    inp = make_inputs(2, 4, 3, length, groups=groups, seed=11)
    names = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'delta_bias']
    grads = []
    for fn in (selective_scan_sequential, selective_scan_chunked):
        leaves = {k: inp[k].clone().requires_grad_() for k in names}
        extra = (
            {'chunk_size': chunk, 'block_budget': 16 * 2 * 4 * 3 * 2}
            if fn is (selective_scan_chunked)
            else {}
        )
        out, h = fn(**leaves, delta_softplus=True, return_last_state=True, **extra)
        weight = torch.linspace(-1, 1, out.numel(), dtype=F64).view_as(out)
        ((out * weight).sum() + h.square().sum()).backward()
        grads.append({k: leaves[k].grad for k in names})
    for k in names:
        assert grads[0][k].abs().max() > 0, k
        torch.testing.assert_close(grads[1][k], grads[0][k], rtol=0, atol=1e-9, msg=k)


@pytest.mark.parametrize('groups', [0, 2])
def test_gradcheck_tiny(groups):
    inp = make_inputs(1, 2, 3, 9, groups=groups, seed=5)
    names = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'delta_bias']
    leaves = [inp[k].clone().requires_grad_() for k in names]

    def fn(*tensors):
        kw = dict(zip(names, tensors))
        return selective_scan_chunked(**kw, delta_softplus=True, chunk_size=4)

    assert torch.autograd.gradcheck(fn, leaves, eps=1e-6, atol=1e-7)


def test_float32_and_half_dtypes():
    inp = make_inputs(1, 4, 3, 100, seed=2)
    args = scan_kwargs(inp, 'full')
    ref = selective_scan_sequential(**args)
    out32 = selective_scan_chunked(
        **{k: v.float() for k, v in args.items() if k != 'delta_softplus'},
        delta_softplus=True,
    )
    assert out32.dtype == torch.float32
    torch.testing.assert_close(out32.double(), ref, rtol=0, atol=1e-4)
    half = {k: v.to(torch.bfloat16) for k, v in args.items() if k != 'delta_softplus'}
    out16 = selective_scan_chunked(**half, delta_softplus=True)
    ref16 = selective_scan_sequential(**half, delta_softplus=True)
    assert out16.dtype == torch.bfloat16
    torch.testing.assert_close(out16, ref16, rtol=0, atol=2e-2)


def test_bad_shapes_raise():
    inp = make_inputs(1, 4, 3, 10)
    with pytest.raises(ValueError, match='A must be'):
        selective_scan_chunked(inp['u'], inp['delta'], inp['A'][:2], inp['B'], inp['C'])
    with pytest.raises(ValueError, match='B/C must be'):
        selective_scan_chunked(
            inp['u'], inp['delta'], inp['A'], inp['B'][..., :5], inp['C'][..., :5]
        )
    grouped = make_inputs(1, 4, 3, 10, groups=3)
    with pytest.raises(ValueError, match='not divisible'):
        selective_scan_chunked(
            inp['u'], inp['delta'], inp['A'], grouped['B'], grouped['C']
        )


def test_default_chunk_size():
    assert default_chunk_size(1) == 1
    assert default_chunk_size(40) == 40
    assert default_chunk_size(65536) == 64
    assert 16 <= default_chunk_size(300) <= 64


# ----------------------------------------------------------------- dispatch


@pytest.fixture
def fake_mamba(monkeypatch):
    """Install a fake ``mamba_ssm`` whose selective_scan_fn records its calls."""
    calls = []

    def fake_scan(*args, **kwargs):
        calls.append((args, kwargs))
        return torch.zeros_like(args[0])

    iface = types.ModuleType('mamba_ssm.ops.selective_scan_interface')
    iface.selective_scan_fn = fake_scan
    ops = types.ModuleType('mamba_ssm.ops')
    ops.selective_scan_interface = iface
    pkg = types.ModuleType('mamba_ssm')
    pkg.ops = ops
    monkeypatch.setitem(sys.modules, 'mamba_ssm', pkg)
    monkeypatch.setitem(sys.modules, 'mamba_ssm.ops', ops)
    monkeypatch.setitem(sys.modules, 'mamba_ssm.ops.selective_scan_interface', iface)
    monkeypatch.delenv(scan_dispatch.ENV_VAR, raising=False)
    set_scan_impl(None)
    yield calls
    set_scan_impl(None)


class FakeCudaTensor(torch.Tensor):
    """A CPU tensor that reports ``is_cuda`` (to exercise the CUDA branch)."""

    @property
    def is_cuda(self):
        return True


def test_dispatch_cpu_never_uses_mamba(fake_mamba):
    inp = make_inputs(1, 4, 3, 20)
    args = scan_kwargs(inp, 'full')
    assert choose_scan_backend(args['u']) in ('fused', 'chunked')
    out = selective_scan_fn(**args)
    assert fake_mamba == []
    torch.testing.assert_close(
        out, selective_scan_sequential(**args), rtol=0, atol=1e-10
    )


def test_dispatch_cuda_uses_mamba_kernels(fake_mamba):
    inp = make_inputs(1, 4, 3, 20, dtype=torch.float32)
    args = scan_kwargs(inp, 'full')
    args['u'] = args['u'].as_subclass(FakeCudaTensor)
    assert choose_scan_backend(args['u']) == 'mamba_ssm'
    selective_scan_fn(**args)
    assert len(fake_mamba) == 1
    (call_args, call_kwargs) = fake_mamba[0]
    assert call_args[0] is args['u']
    assert call_kwargs['delta_softplus'] is True
    # float64 on CUDA and a forced implementation stay in PyTorch
    assert (
        choose_scan_backend(args['u'].double().as_subclass(FakeCudaTensor)) == 'chunked'
    )
    set_scan_impl('chunked')
    assert choose_scan_backend(args['u']) == 'chunked'


def test_dispatch_without_mamba_on_cuda(monkeypatch):
    monkeypatch.setitem(sys.modules, 'mamba_ssm', None)  # import fails
    set_scan_impl(None)
    u = torch.zeros(1, 2, 3).as_subclass(FakeCudaTensor)
    assert choose_scan_backend(u) == 'chunked'


def test_force_reference(monkeypatch):
    u = torch.zeros(1, 2, 3)
    monkeypatch.setenv(scan_dispatch.ENV_VAR, 'reference')
    assert choose_scan_backend(u) == 'reference'
    monkeypatch.setenv(scan_dispatch.ENV_VAR, 'bogus')
    with pytest.raises(ValueError, match='INPAINTZOO_SCAN_IMPL'):
        choose_scan_backend(u)
    monkeypatch.delenv(scan_dispatch.ENV_VAR)
    set_scan_impl('reference')
    try:
        assert choose_scan_backend(u) == 'reference'
    finally:
        set_scan_impl(None)
    assert choose_scan_backend(u) in ('fused', 'chunked')
    with pytest.raises(ValueError, match='must be one of'):
        set_scan_impl('fast')


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_mamba_ssm_kernel_matches_pytorch():
    iface = pytest.importorskip('mamba_ssm.ops.selective_scan_interface')
    inp = make_inputs(2, 64, 16, 1000, seed=7, dtype=torch.float32)
    args = {
        k: v.cuda() for k, v in scan_kwargs(inp, 'full').items() if torch.is_tensor(v)
    }
    ours, h_ours = selective_scan_chunked(
        **args, delta_softplus=True, return_last_state=True
    )
    theirs, h_theirs = iface.selective_scan_fn(
        **args, delta_softplus=True, return_last_state=True
    )
    torch.testing.assert_close(ours, theirs, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(h_ours, h_theirs, rtol=1e-3, atol=1e-3)
    # the fused CPU kernel on the same numbers
    cpu = {k: v.cpu() for k, v in args.items()}
    fused = selective_scan_fn(**cpu, delta_softplus=True)
    torch.testing.assert_close(fused, theirs.cpu(), rtol=1e-3, atol=1e-3)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_mamba_ssm_gradients_and_block_fast_path_match_pytorch():
    """On a GPU with mamba-ssm: scan gradients, and MambaBlock's fused fast path."""
    pytest.importorskip('mamba_ssm.ops.selective_scan_interface')
    from inpaintzoo.models.ssm.mamba_block import MambaBlock

    inp = make_inputs(2, 64, 16, 777, seed=9, dtype=torch.float32)
    names = ['u', 'delta', 'A', 'B', 'C', 'D', 'z', 'delta_bias']
    grads = []
    for impl in ('auto', 'chunked'):  # auto = mamba-ssm's kernel on CUDA
        set_scan_impl(impl)
        try:
            leaves = {k: inp[k].cuda().requires_grad_() for k in names}
            out = selective_scan_fn(**leaves, delta_softplus=True)
            out.square().mean().backward()
        finally:
            set_scan_impl(None)
        grads.append([leaves[k].grad for k in names])
    for k, ours, theirs in zip(names, grads[1], grads[0]):
        torch.testing.assert_close(ours, theirs, rtol=2e-3, atol=2e-3, msg=k)

    torch.manual_seed(0)
    block = MambaBlock(48).cuda()
    x = torch.randn(2, 1024, 48, device='cuda')
    outs = []
    for impl in ('auto', 'chunked'):  # mamba_inner_fn (+ causal-conv1d) vs PyTorch
        set_scan_impl(impl)
        try:
            outs.append(block(x))
        finally:
            set_scan_impl(None)
    torch.testing.assert_close(outs[0], outs[1], rtol=1e-3, atol=1e-3)
