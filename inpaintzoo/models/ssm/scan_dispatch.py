"""Choose the selective-scan implementation: mamba-ssm CUDA kernels or PyTorch.

Rules of :func:`selective_scan_fn`:

1. Forced reference (``set_scan_impl('reference')`` or the environment variable
   ``INPAINTZOO_SCAN_IMPL=reference``): the sequential oracle.
2. ``mamba_ssm`` importable, tensors on CUDA and dtype not float64: mamba-ssm's
   fused ``selective_scan_fn``.
3. CPU tensors and the fused C kernel builds (a C compiler is present; see
   :mod:`inpaintzoo.models.ssm.cpu_kernel`): :func:`selective_scan_fused`.
4. Otherwise: the chunked pure-PyTorch scan (any device, any float dtype).

``'chunked'`` forces rule 4 everywhere, ``'fused'`` requires rule 3 (an error
names what is missing instead of silently falling back).

``mamba_ssm`` is imported lazily and only for CUDA tensors, never at module level.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

import torch
from torch import Tensor

from inpaintzoo.models.ssm.scan_chunked import selective_scan_chunked
from inpaintzoo.models.ssm.scan_fused import fused_scan_supported, selective_scan_fused
from inpaintzoo.models.ssm.scan_reference import selective_scan_sequential

ENV_VAR = 'INPAINTZOO_SCAN_IMPL'
_IMPLS = ('auto', 'fused', 'chunked', 'reference')
_forced_impl: str | None = None


def set_scan_impl(impl: str | None) -> None:
    """Force an implementation for every later call (``None`` = back to env/auto).

    Args:
        impl (str | None): ``'auto'``, ``'fused'`` (the C kernel on CPU),
            ``'chunked'`` (PyTorch on any device, even on CUDA with mamba-ssm),
            ``'reference'`` (sequential oracle) or None.

    Raises:
        ValueError: for an unknown name.
    """
    global _forced_impl
    if impl is not None and impl not in _IMPLS:
        raise ValueError(f'scan implementation must be one of {_IMPLS}, got {impl!r}')
    _forced_impl = impl


def get_scan_impl() -> str:
    """The requested implementation: the forced one, else ``$INPAINTZOO_SCAN_IMPL``."""
    if _forced_impl is not None:
        return _forced_impl
    impl = os.environ.get(ENV_VAR, 'auto').strip().lower() or 'auto'
    if impl not in _IMPLS:
        raise ValueError(f'${ENV_VAR} must be one of {_IMPLS}, got {impl!r}')
    return impl


def _import_attr(module: str, name: str) -> Callable | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def load_mamba_scan_fn() -> Callable | None:
    """mamba-ssm's ``selective_scan_fn`` or None when mamba-ssm is not installed."""
    return _import_attr('mamba_ssm.ops.selective_scan_interface', 'selective_scan_fn')


def load_mamba_inner_fn() -> Callable | None:
    """mamba-ssm's fused ``mamba_inner_fn`` or None."""
    return _import_attr('mamba_ssm.ops.selective_scan_interface', 'mamba_inner_fn')


def load_causal_conv1d_fn() -> Callable | None:
    """causal-conv1d's ``causal_conv1d_fn`` or None."""
    return _import_attr('causal_conv1d', 'causal_conv1d_fn')


def use_cuda_kernels(x: Tensor) -> bool:
    """True when mamba-ssm kernels may run on ``x``: CUDA, not float64, auto mode."""
    return (
        x.is_cuda
        and x.dtype != torch.float64
        and get_scan_impl() == 'auto'
        and load_mamba_scan_fn() is not None
    )


def choose_scan_backend(u: Tensor, n_state: int = 16) -> str:
    """Name of the backend :func:`selective_scan_fn` uses for ``u``.

    Args:
        u (Tensor): (Bt, D, L) scan input (its device and dtype decide).
        n_state (int): state size ``N`` (the fused kernel takes N <= 256).

    Returns:
        str: ``'reference'``, ``'mamba_ssm'``, ``'fused'`` or ``'chunked'``.
    """
    impl = get_scan_impl()
    if impl in ('reference', 'chunked', 'fused'):
        return impl
    if use_cuda_kernels(u):
        return 'mamba_ssm'
    if fused_scan_supported(u, n_state):
        return 'fused'
    return 'chunked'


def selective_scan_fn(
    u: Tensor,
    delta: Tensor,
    A: Tensor,
    B: Tensor,
    C: Tensor,
    D: Tensor | None = None,
    z: Tensor | None = None,
    delta_bias: Tensor | None = None,
    delta_softplus: bool = False,
    return_last_state: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Selective scan with mamba-ssm's ``selective_scan_fn`` conventions.

    Args:
        u (Tensor): (Bt, D, L).
        delta (Tensor): (Bt, D, L).
        A (Tensor): (D, N).
        B (Tensor): (Bt, N, L) or (Bt, G, N, L).
        C (Tensor): same layout as ``B``.
        D (Tensor, optional): (D,).
        z (Tensor, optional): (Bt, D, L).
        delta_bias (Tensor, optional): (D,).
        delta_softplus (bool): softplus on ``delta + delta_bias``.
        return_last_state (bool): also return the (Bt, D, N) final state.

    Returns:
        Tensor | tuple[Tensor, Tensor]: (Bt, D, L) output [, last state].
    """
    backend = choose_scan_backend(u, A.shape[-1])
    if backend == 'mamba_ssm':
        fn = load_mamba_scan_fn()
    elif backend == 'reference':
        fn = selective_scan_sequential
    elif backend == 'fused':
        fn = selective_scan_fused
    else:
        fn = selective_scan_chunked
    return fn(
        u,
        delta,
        A,
        B,
        C,
        D,
        z=z,
        delta_bias=delta_bias,
        delta_softplus=delta_softplus,
        return_last_state=return_last_state,
    )


# the conventional short name
selective_scan = selective_scan_fn
