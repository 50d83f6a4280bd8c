"""The result of a MAC count: :class:`ComplexityReport` and :func:`format_macs`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
