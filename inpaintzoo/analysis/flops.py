"""Parameters and multiply-accumulates (MACs) of a model through ``mmengine.analysis``.

:func:`count_complexity` traces the model with :class:`mmengine.analysis.FlopAnalyzer`
(``torch.jit``) under ``torch.no_grad()`` and adds what the trace cannot see:

* the selective scan and the causal convolution of every
  :class:`~inpaintzoo.models.ssm.MambaBlock`, which run in compiled code (a custom
  autograd function or :mod:`ctypes`). They are counted analytically by forward
  hooks (:mod:`inpaintzoo.analysis.scan_flops`); during the count the scan is
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from mmengine.analysis import FlopAnalyzer, jit_analysis, parameter_count
from torch import Tensor, nn

from inpaintzoo.analysis.op_handles import extra_flop_handles
from inpaintzoo.analysis.scan_flops import causal_conv_macs, selective_scan_macs
from inpaintzoo.models.ssm import mamba_block as mamba_block_module
from inpaintzoo.models.ssm.mamba_block import MambaBlock
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.memory import peak_rss_mib

MODES = ('units', 'whole')
_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)


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
    def forward(ctx, fn, u, delta, A, B, C, D, z, delta_bias, softplus):  # noqa: D102
        return fn(
            u, delta, A, B, C, D, z=z, delta_bias=delta_bias, delta_softplus=softplus
        )


@contextmanager
def _opaque_scan() -> Iterator[None]:
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


class ReplayOutput(torch.autograd.Function):
    """Hand back a recorded output as one opaque node fed by the unit's inputs."""

    @staticmethod
    def forward(ctx, recorded: list, *inputs: Tensor) -> Tensor | tuple:  # noqa: D102
        return recorded[0]


def _replayable(out: Any) -> bool:
    """A tensor or a tuple of tensors (what an autograd function may return)."""
    if isinstance(out, tuple):
        return bool(out) and all(isinstance(t, Tensor) for t in out)
    return isinstance(out, Tensor)


class _AnalyticHooks:
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
        for handle in self._handles:
            handle.remove()


@dataclass
class ComplexityReport:
    """Parameters and MACs of one model on one input.

    Attributes:
        input_shapes (list[tuple[int, ...]]): Shapes of the positional inputs.
        params (int): Parameters of the model.
        macs (int): Multiply-accumulates of one forward (traced + analytic).
        by_module (dict[str, Counter[str]]): Module name -> operator -> MACs,
            including descendants; ``''`` is the whole model.
        params_by_module (dict[str, int]): Module name -> parameters.
        unsupported_ops (Counter[str]): Traced operators not counted -> calls.
        mode (str): ``'units'`` or ``'whole'``.
        seconds (float): Wall time of the count.
        peak_rss_mib (float): Peak resident memory of the process (Linux
            ``VmHWM``, MiB), NaN where unavailable.
        extra (dict): Free-form context (config path, discriminator size, ...).
    """

    input_shapes: list[tuple[int, ...]]
    params: int
    macs: int
    by_module: dict[str, Counter[str]]
    params_by_module: dict[str, int]
    unsupported_ops: Counter[str]
    mode: str
    seconds: float
    peak_rss_mib: float
    extra: dict = field(default_factory=dict)

    @property
    def by_operator(self) -> Counter[str]:
        """Operator -> MACs for the whole model."""
        return self.by_module.get('', Counter())

    def module_table(self, depth: int = 1) -> str:
        """Markdown table of parameters and MACs per module down to ``depth``."""
        names = [n for n in self.params_by_module if n and n.count('.') < depth]
        names += [
            n for n in self.by_module if n and n.count('.') < depth and n not in names
        ]
        rows = ['| module | params | MACs |', '| --- | ---: | ---: |']
        for name in ['', *names]:
            macs = sum(self.by_module.get(name, Counter()).values())
            params = self.params_by_module.get(name, 0)
            if name and not macs and not params:
                continue
            rows.append(f'| {name or "(total)"} | {params:,} | {format_macs(macs)} |')
        return '\n'.join(rows)

    def summary(self) -> str:
        """Console lines: totals, MACs per operator, what is not counted."""
        shapes = ', '.join('x'.join(map(str, s)) for s in self.input_shapes)
        lines = [
            f'input: {shapes}',
            f'params: {self.params:,} ({self.params / 1e6:.2f} M)',
            f'MACs: {self.macs:,} ({format_macs(self.macs)}; twice that in '
            'FLOPs counting a multiply-add as 2)',
            'by operator: '
            + ', '.join(
                f'{op} {format_macs(n)}' for op, n in self.by_operator.most_common()
            ),
            'not counted (element-wise, calls): '
            + ', '.join(
                f'{op.split("::")[-1]} {n}'
                for op, n in self.unsupported_ops.most_common()
            ),
            f'mode {self.mode}: {self.seconds:.1f} s, '
            f'peak RSS of the process {self.peak_rss_mib:.0f} MiB',
        ]
        return '\n'.join(lines)

    def to_dict(self) -> dict:
        """JSON-ready dict (per-module MACs to depth 1)."""
        return dict(
            input_shapes=[list(s) for s in self.input_shapes],
            params=self.params,
            macs=self.macs,
            gmac=self.macs / 1e9,
            by_operator=dict(self.by_operator),
            by_stage={
                n: sum(c.values())
                for n, c in self.by_module.items()
                if n and '.' not in n
            },
            unsupported_ops=dict(self.unsupported_ops),
            mode=self.mode,
            seconds=self.seconds,
            peak_rss_mib=self.peak_rss_mib,
            **self.extra,
        )


def format_macs(macs: float) -> str:
    """``1.234 GMac`` / ``12.34 MMac`` / ``5.6 kMac`` / ``7 Mac``."""
    if macs >= 1e9:
        return f'{macs / 1e9:.3f} GMac'
    if macs >= 1e6:
        return f'{macs / 1e6:.2f} MMac'
    if macs >= 1e3:
        return f'{macs / 1e3:.1f} kMac'
    return f'{macs:.0f} Mac'


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

    def __init__(self, units: dict[nn.Module, str], analytic: _AnalyticHooks) -> None:
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
    analytic = _AnalyticHooks(model)
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    unsupported: Counter[str] = Counter()
    units = _find_units(model) if mode == 'units' else {}
    try:
        with torch.no_grad(), _opaque_scan():
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
