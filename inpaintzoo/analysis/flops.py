"""Parameters and multiply-accumulates (MACs) of a model through ``mmengine.analysis``.

:func:`count_complexity` traces the model with :class:`mmengine.analysis.FlopAnalyzer`
(``torch.jit``) under ``torch.no_grad()`` and adds what the trace cannot see:

* the selective scan and the causal convolution of every
  :class:`~inpaintzoo.models.ssm.MambaBlock`, which run in compiled code (a custom
  autograd function or :mod:`ctypes`). They are counted analytically by forward
  hooks (:mod:`inpaintzoo.analysis.analytic_counts`); during the count the scan is
  wrapped in one opaque function, so the result is the same for every scan
  backend (fused C kernel, chunked PyTorch, reference loop);
* attention products mmengine's handles miss or miscount (broadcast ``matmul``,
  ``scaled_dot_product_attention``, ``baddbmm``; :mod:`inpaintzoo.analysis.op_handles`).

Two modes give the same numbers:

* ``'whole'``: one trace of the whole model. The trace keeps the graph of every
  operator and its tensors alive: 4.0 GiB peak for MxT at 256x256 (docs/benchmarks.md).
* ``'units'`` (default): one eager forward; each *unit* (a direct child of the
  model, or of a ``Sequential``/``ModuleList``/``ModuleDict`` child, e.g. one
  transformer block) is traced on its own, with its real input, just before it
  runs; the top-level glue (concatenations, padding, mask resizing, ...) is then
  traced once with every unit replaced by a replay of its recorded output. Peak
  memory is about that of an inference forward plus the trace of one block (2.2 GiB
  for MxT at 256x256).

Counts are MACs ("GMac"): one multiply-add is one operation, as in mmengine
(whose numbers are called "flops" but are MACs). Element-wise operations other
than those inside the scan (activations, residual additions, normalisation
divisions) are not counted, as in mmengine; the report lists them under
``unsupported_ops`` with their number of calls.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from mmengine.analysis import FlopAnalyzer, jit_analysis, parameter_count
from torch import Tensor, nn
from torch.autograd.function import FunctionCtx

from inpaintzoo.analysis.analytic_counts import AnalyticHooks, opaque_scan
from inpaintzoo.analysis.complexity_report import ComplexityReport
from inpaintzoo.analysis.op_handles import extra_flop_handles
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.memory import peak_rss_mib

MODES = ('units', 'whole')
_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)


class ReplayOutput(torch.autograd.Function):
    """Hand back a recorded output as one opaque node fed by the unit's inputs."""

    @staticmethod
    def forward(  # noqa: D102
        ctx: FunctionCtx, recorded: list, *inputs: Tensor
    ) -> Tensor | tuple:
        return recorded[0]


def _replayable(out: Any) -> bool:
    """A tensor or a tuple of tensors (what an autograd function may return)."""
    if isinstance(out, tuple):
        return bool(out) and all(isinstance(t, Tensor) for t in out)
    return isinstance(out, Tensor)


def _ancestors(name: str) -> list[str]:
    """``'a.b.c'`` -> ``['a.b', 'a', '']``; ``''`` -> ``[]``."""
    if not name:
        return []
    parts = name.split('.')
    return ['.'.join(parts[:k]) for k in range(len(parts) - 1, -1, -1)]


def _join(prefix: str, name: str) -> str:
    return f'{prefix}.{name}' if prefix and name else prefix or name


class _Trace:
    """One ``FlopAnalyzer`` run with the extra handles, warnings off.

    Attributes:
        by_module (dict[str, Counter[str]]): module -> operator -> MACs.
        unsupported (Counter[str]): operators not counted -> calls.
        used_inputs (list[bool]): which positional inputs the traced graph uses
            (a trace drops operations whose results nothing uses).
    """

    def __init__(self, module: nn.Module, inputs: tuple[Tensor, ...]) -> None:
        analyzer = FlopAnalyzer(module, inputs)
        analyzer.set_op_handle(**extra_flop_handles())
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        graphs = []
        trace_graph = jit_analysis._get_scoped_trace_graph

        def keep_graph(*args, **kwargs):
            graphs.append(trace_graph(*args, **kwargs))
            return graphs[-1]

        jit_analysis._get_scoped_trace_graph = keep_graph
        try:
            self.by_module = analyzer.by_module_and_operator()
        finally:
            jit_analysis._get_scoped_trace_graph = trace_graph
        self.unsupported = analyzer.unsupported_ops()
        # graph inputs: the flattened positional inputs, then the parameters
        graph_inputs = list(graphs[-1].inputs())[: len(inputs)]
        self.used_inputs = [bool(v.uses()) for v in graph_inputs]


def _find_units(root: nn.Module) -> dict[nn.Module, str]:
    """Direct children of ``root``, looking through container children."""
    units: dict[nn.Module, str] = {}

    def visit(module: nn.Module, prefix: str) -> None:
        for name, child in module.named_children():
            full = _join(prefix, name)
            if isinstance(child, _CONTAINERS):
                visit(child, full)
            elif child not in units:
                units[child] = full

    visit(root, '')
    return units


class _UnitTracer:
    """Trace each unit on its own just before it runs in an eager forward."""

    def __init__(self, units: dict[nn.Module, str], analytic: AnalyticHooks) -> None:
        self.units = units
        self.analytic = analytic
        self.busy = False  # inside a trace: hooks do nothing
        self.traces: list[tuple[str, _Trace]] = []
        self.outputs: dict[nn.Module, deque] = defaultdict(deque)
        self.skipped: set[nn.Module] = set()
        self._used: dict[nn.Module, list[bool]] = {}
        self._handles = []
        for unit in units:
            self._handles.append(
                unit.register_forward_pre_hook(self._before, with_kwargs=True)
            )
            self._handles.append(
                unit.register_forward_hook(self._after, with_kwargs=True)
            )

    def _before(self, unit: nn.Module, args: tuple, kwargs: dict) -> None:
        if self.busy or unit in self.skipped:
            return
        if kwargs or not all(isinstance(a, Tensor) for a in args):
            self.skipped.add(unit)  # traced with the glue instead
            return
        self.busy = self.analytic.active = True
        try:
            trace = _Trace(unit, args)
        finally:
            self.busy = self.analytic.active = False
        self.traces.append((self.units[unit], trace))
        self._used[unit] = trace.used_inputs

    def _after(self, unit: nn.Module, args: tuple, kwargs: dict, out: Any) -> None:
        if self.busy or unit in self.skipped:
            return
        if _replayable(out):
            self.outputs[unit].append((out, self._used.pop(unit)))
            return
        # cannot stand in for it in the glue trace: count it there instead
        name = self.units[unit]
        self.skipped.add(unit)
        self.traces = [(n, t) for n, t in self.traces if n != name]
        self.outputs.pop(unit, None)

    @contextmanager
    def replaying(self) -> Iterator[None]:
        """Each traced unit returns its recorded outputs instead of computing.

        The output comes out of one :class:`ReplayOutput` node that takes the
        inputs the unit's own trace used, so the glue operations feeding the unit
        stay in the glue trace exactly when they would in a whole-model trace
        (which drops operations whose results nothing uses).
        """
        patched = []
        for unit, queue in self.outputs.items():
            original = unit.forward

            def replay(*args, queue=queue, original=original, **kwargs):
                if not queue or kwargs:
                    return original(*args, **kwargs)
                out, used = queue.popleft()
                return ReplayOutput.apply([out], *(a for a, u in zip(args, used) if u))

            unit.forward = replay
            patched.append(unit)
        self.busy = True
        try:
            yield
        finally:
            self.busy = False
            for unit in patched:
                del unit.forward

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


def _as_tuple(inputs: Tensor | tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def count_complexity(
    model: nn.Module,
    inputs: Tensor | tuple[Tensor, ...],
    mode: str = 'units',
) -> ComplexityReport:
    """Count parameters and MACs of ``model(*inputs)`` (see the module docstring).

    The model is run under ``torch.no_grad()`` in its current train/eval mode
    (call ``model.eval()`` first for inference numbers) on the inputs' device;
    count on the CPU: on CUDA, mamba-ssm's fused kernels hide the projections
    from the trace.

    Args:
        model (nn.Module): The model.
        inputs (Tensor | tuple[Tensor, ...]): Positional inputs of ``forward``,
            e.g. ``(img (N, 3, H, W), mask (N, 1, H, W))`` for a generator.
        mode (str): ``'units'`` (bounded memory) or ``'whole'`` (one trace).

    Returns:
        ComplexityReport: parameters, MACs per module and operator.

    Raises:
        ConfigError: for an unknown ``mode``.
    """
    if mode not in MODES:
        raise ConfigError(f'mode must be one of {MODES}, got {mode!r}')
    inputs = _as_tuple(inputs)
    start = time.perf_counter()
    analytic = AnalyticHooks(model)
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    unsupported: Counter[str] = Counter()
    units = _find_units(model) if mode == 'units' else {}
    try:
        with torch.no_grad(), opaque_scan():
            if units:
                tracer = _UnitTracer(units, analytic)
                try:
                    model(*inputs)
                    with tracer.replaying():
                        analytic.active = True
                        glue = _Trace(model, inputs)
                finally:
                    tracer.remove()
                for unit_name, trace in tracer.traces:
                    for name, counts in trace.by_module.items():
                        by_module[_join(unit_name, name)] += counts
                    for name in _ancestors(unit_name):
                        by_module[name] += trace.by_module['']
                    unsupported += trace.unsupported
            else:
                analytic.active = True
                glue = _Trace(model, inputs)
    finally:
        analytic.active = False
        analytic.remove()
    for name, counts in glue.by_module.items():
        by_module[name] += counts
    unsupported += glue.unsupported
    for name, counts in analytic.counts.items():
        for target in [name, *_ancestors(name)]:
            by_module[target] += counts
    params = parameter_count(model)
    module_params = {
        name: int(params.get(name, 0)) for name, _ in model.named_modules()
    }
    return ComplexityReport(
        input_shapes=[tuple(t.shape) for t in inputs],
        params=int(params['']),
        macs=int(sum(by_module[''].values())),
        by_module={k: v for k, v in by_module.items() if v or k == ''},
        params_by_module=module_params,
        unsupported_ops=unsupported,
        mode=mode,
        seconds=time.perf_counter() - start,
        peak_rss_mib=peak_rss_mib(),
    )
