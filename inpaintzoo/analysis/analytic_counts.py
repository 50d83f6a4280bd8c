"""What a ``torch.jit`` trace cannot see in a Mamba block, counted analytically.

The selective scan and the causal convolution of every
:class:`~inpaintzoo.models.ssm.MambaBlock` run in compiled code (a custom autograd
function or :mod:`ctypes`). :class:`AnalyticHooks` adds their MACs
(:mod:`inpaintzoo.analysis.scan_flops`) by forward hooks, and :func:`opaque_scan`
wraps the scan in one opaque :class:`UncountedScan` node meanwhile, so the count
is the same for every scan backend. Used by
:func:`inpaintzoo.analysis.flops.count_complexity`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn
from torch.autograd.function import FunctionCtx

from inpaintzoo.analysis.scan_flops import causal_conv_macs, selective_scan_macs
from inpaintzoo.models.ssm import mamba_block as mamba_block_module
from inpaintzoo.models.ssm.mamba_block import MambaBlock


def mamba_block_macs(module: MambaBlock, args: tuple[Any, ...]) -> Counter[str]:
    """MACs of a :class:`MambaBlock` call that a trace cannot see.

    Args:
        module (MambaBlock): The block.
        args (tuple): Its call arguments; ``args[0]`` is u, (B, L, d_model).

    Returns:
        Counter[str]: ``selective_scan`` (``B L D_inner (5 N + 3)``) and
        ``causal_conv1d`` (``B L D_inner d_conv``). The projections are
        ``F.linear`` calls, which the trace counts.
    """
    batch, length = (int(n) for n in args[0].shape[:2])  # traced sizes are tensors
    return Counter(
        selective_scan=selective_scan_macs(
            batch, length, module.d_inner, module.d_state, skip=True, gate=True
        ),
        causal_conv1d=causal_conv_macs(batch, length, module.d_inner, module.d_conv),
    )


ANALYTIC_COUNTERS: dict[type, Callable[[nn.Module, tuple], Counter[str]]] = {
    MambaBlock: mamba_block_macs,
}
"""Module type -> MACs of one call that tracing misses (added by forward hooks)."""


class UncountedScan(torch.autograd.Function):
    """Run the selective scan as one opaque ``prim::PythonOp`` in a trace.

    Its cost is added analytically by :func:`mamba_block_macs`; the wrapper keeps
    the pure-PyTorch backends (whose einsum would be traced) from being counted a
    second time. Forward only (counting runs under ``torch.no_grad()``).
    """

    @staticmethod
    def forward(  # noqa: D102
        ctx: FunctionCtx,
        fn: Callable[..., Tensor],
        u: Tensor,
        delta: Tensor,
        A: Tensor,
        B: Tensor,
        C: Tensor,
        D: Tensor | None,
        z: Tensor | None,
        delta_bias: Tensor | None,
        softplus: bool,
    ) -> Tensor:
        return fn(
            u, delta, A, B, C, D, z=z, delta_bias=delta_bias, delta_softplus=softplus
        )


@contextmanager
def opaque_scan() -> Iterator[None]:
    """Route :class:`MambaBlock`'s scan through :class:`UncountedScan` meanwhile."""
    original = mamba_block_module.selective_scan_fn

    def scan(u, delta, A, B, C, D=None, z=None, delta_bias=None, **kwargs):
        if kwargs.get('return_last_state'):
            return original(u, delta, A, B, C, D, z=z, delta_bias=delta_bias, **kwargs)
        softplus = bool(kwargs.get('delta_softplus', False))
        return UncountedScan.apply(
            original, u, delta, A, B, C, D, z, delta_bias, softplus
        )

    mamba_block_module.selective_scan_fn = scan
    try:
        yield
    finally:
        mamba_block_module.selective_scan_fn = original


class AnalyticHooks:
    """Forward hooks adding :data:`ANALYTIC_COUNTERS` results while ``active``."""

    def __init__(self, root: nn.Module) -> None:
        self.active = False
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._handles = []
        for name, module in root.named_modules():
            counter = next(
                (f for t, f in ANALYTIC_COUNTERS.items() if isinstance(module, t)), None
            )
            if counter is None:
                continue

            def hook(mod, args, out, name=name, counter=counter) -> None:
                if self.active:
                    self.counts[name] += counter(mod, args)

            self._handles.append(module.register_forward_hook(hook))

    def remove(self) -> None:
        """Remove the forward hooks."""
        for handle in self._handles:
            handle.remove()
