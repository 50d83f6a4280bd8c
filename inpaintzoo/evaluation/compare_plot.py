"""Compare result files of several methods: a table and a grouped bar chart.

A result file is the JSON of ``tools/evaluate_folder.py --out``
(``{"metrics": {group: {metric: value}}, "counts": {"per_group": ...}}``) or of
``tools/test.py --out`` (``{group: {metric: value}, ..., "counts": {...}}``).
"""

import json
from collections.abc import Sequence
from pathlib import Path

from inpaintzoo.utils.errors import ConfigError

from .report import METRIC_ORDER, _fmt, _sort_metrics


def load_result(path: str | Path) -> tuple[dict[str, dict], dict[str, int]]:
    """Read a result JSON into the nested report and the image counts.

    Args:
        path (str | Path): JSON written by ``evaluate_folder.py --out`` or
            ``test.py --out``.

    Returns:
        tuple: ``({group: {metric: value}}, {group: images})``; counts are
        empty when the file has none.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f'result file {path} does not exist') from None
    except json.JSONDecodeError as err:
        raise ConfigError(f'result file {path} is not valid JSON: {err}') from None
    if not isinstance(data, dict):
        raise ConfigError(f'result file {path} holds no JSON object')
    if isinstance(data.get('metrics'), dict):  # evaluate_folder --out
        report = data['metrics']
        counts = dict(data.get('counts', {}).get('per_group', {}))
    else:  # tools/test.py --out
        report = {k: v for k, v in data.items() if k != 'counts'}
        counts = dict(data.get('counts', {}))
    if not report or not all(isinstance(v, dict) for v in report.values()):
        raise ConfigError(
            f'result file {path} has no {{group: {{metric: value}}}} report; expected '
            'the JSON of tools/evaluate_folder.py --out or tools/test.py --out'
        )
    return report, counts


def _groups_and_metrics(reports: Sequence[dict]) -> tuple[list[str], list[str]]:
    groups: list[str] = []
    names: list[str] = []
    for report in reports:
        groups += [g for g in report if g not in groups]
        for row in report.values():
            names += [n for n in row if n not in names]
    return groups, list(_sort_metrics(dict.fromkeys(names)))


def format_comparison_table(
    labels: Sequence[str],
    reports: Sequence[dict],
    counts: Sequence[dict] | None = None,
) -> str:
    """Plain-text table: one row per (group, method), one column per metric.

    Args:
        labels (Sequence[str]): method names, one per report.
        reports (Sequence[dict]): nested reports (:func:`load_result`).
        counts (Sequence[dict], optional): images per group, one per report.

    Returns:
        str: the table (no trailing newline); missing values print as ``-``.
    """
    groups, names = _groups_and_metrics(reports)
    header = ['group', 'method', 'images', *names]
    rows = []
    for group in groups:
        for i, (label, report) in enumerate(zip(labels, reports, strict=True)):
            row = report.get(group, {})
            n = counts[i].get(group, '-') if counts else '-'
            rows.append([group, label, str(n), *(_fmt(row.get(m)) for m in names)])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        left = [c.ljust(w) for c, w in zip(cells[:2], widths[:2], strict=True)]
        right = [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        return ' | '.join(left + right)

    sep = '-+-'.join('-' * w for w in widths)
    return '\n'.join([line(header), sep, *(line(r) for r in rows)])


def plot_comparison(
    labels: Sequence[str],
    reports: Sequence[dict],
    out_file: str | Path,
    metrics: Sequence[str] | None = None,
) -> Path:
    """Grouped bar chart: one panel per metric, groups on x, one bar per method.

    Uses matplotlib's ``Agg`` backend (no display needed). A missing value
    leaves a gap.

    Args:
        labels (Sequence[str]): method names, one per report.
        reports (Sequence[dict]): nested reports (:func:`load_result`).
        out_file (str | Path): image to write (``.png``, ``.pdf``, ``.svg``).
        metrics (Sequence[str], optional): panels to draw; default: every
            metric of the reports, in :data:`METRIC_ORDER`.

    Returns:
        Path: the written file.

    Raises:
        ImportError: if matplotlib is not installed (an optional dependency).
    """
    try:
        import matplotlib

        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            'plotting needs matplotlib, an optional dependency: pip install '
            f'matplotlib (or leave out --plot) [{err}]'
        ) from None
    groups, names = _groups_and_metrics(reports)
    names = list(metrics) if metrics else names
    fig, axes = plt.subplots(
        1, len(names), figsize=(max(4.0, 1.2 * len(groups)) * len(names), 3.6)
    )
    axes = [axes] if len(names) == 1 else list(axes)
    width = 0.8 / len(reports)
    for ax, name in zip(axes, names, strict=True):
        for i, (label, report) in enumerate(zip(labels, reports, strict=True)):
            xs, ys = [], []
            for x, group in enumerate(groups):
                value = report.get(group, {}).get(name)
                if value is not None:
                    xs.append(x - 0.4 + width * (i + 0.5))
                    ys.append(value)
            ax.bar(xs, ys, width=width, label=label)
        ax.set_xticks(range(len(groups)), groups, rotation=20)
        better = 'higher' if name in ('PSNR', 'SSIM') else 'lower'
        ax.set_title(f'{name} ({better} is better)' if name in METRIC_ORDER else name)
        ax.grid(axis='y', alpha=0.3)
    axes[0].legend(fontsize='small')
    fig.tight_layout()
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
