"""Turn flat metric dicts into the nested report and a plain-text table."""

import math
from collections.abc import Iterator

from .metrics.sample_utils import EXCLUDED_EMPTY_KEY, IMAGES_KEY, OVERALL

#: Column order of the table; other metric names follow alphabetically.
METRIC_ORDER = ('PSNR', 'SSIM', 'L1', 'LPIPS', 'FID')


def _bucket_order() -> tuple[str, ...]:
    from inpaintzoo.datasets.masks.bucket import BUCKET_LABELS

    return BUCKET_LABELS


def _split_keys(
    metrics: dict, prefix: str | None
) -> Iterator[tuple[str, str, str, float]]:
    """Yield ``(key, name, group, value)`` for each flat metric key.

    ``key`` is the bare key without any ``xxx/`` prefix (``'PSNR_20-40%'``),
    ``name`` the part before the first ``_`` (``'PSNR'``) and ``group`` the rest
    (``'20-40%'``; empty for the overall value). With ``prefix`` given, keys that
    do not start with it are skipped.
    """
    if prefix is not None and not prefix.endswith('/'):
        prefix += '/'
    for key, value in metrics.items():
        if prefix is not None:
            if not key.startswith(prefix):
                continue
            key = key[len(prefix) :]
        key = key.rsplit('/', 1)[-1]
        name, _, group = key.partition('_')
        yield key, name, group, value


def metrics_to_report(metrics: dict, prefix: str | None = None) -> dict[str, dict]:
    """Nest flat metric keys by group.

    ``{'inpaint/PSNR': 30, 'inpaint/PSNR_20-40%': 28}`` becomes
    ``{'overall': {'PSNR': 30}, '20-40%': {'PSNR': 28}}``. Groups are ordered
    overall, then the mask buckets in order; empty groups do not appear.

    Args:
        metrics (dict): flat ``{key: value}`` as returned by an ``Evaluator`` or
            ``runner.test()``; keys may carry an evaluator prefix (``inpaint/``).
        prefix (str, optional): keep only keys with this prefix (``'inpaint'``
            or ``'inpaint/'``). By default every ``xxx/`` prefix is stripped.

    Returns:
        dict[str, dict]: ``{group: {metric name: float}}``.
    """
    groups: dict[str, dict] = {}
    for key, name, group, value in _split_keys(metrics, prefix):
        if key == EXCLUDED_EMPTY_KEY or name == IMAGES_KEY:
            continue  # image counts, not metrics: see metrics_to_counts
        groups.setdefault(group or OVERALL, {})[name] = float(value)
    order = [OVERALL, *_bucket_order()]
    ranked = sorted(groups, key=lambda g: (order.index(g) if g in order else 99, g))
    return {g: _sort_metrics(groups[g]) for g in ranked}


def metrics_to_counts(metrics: dict, prefix: str | None = None) -> dict[str, int]:
    """Image counts from the flat results of :class:`InpaintingMetric`.

    ``{'inpaint/images': 9, 'inpaint/images_20-40%': 4,
    'inpaint/excluded_empty_mask': 1}`` becomes
    ``{'overall': 9, '20-40%': 4, 'excluded_empty_mask': 1}`` (feed it to
    :func:`format_report_table` as ``counts``).

    Args:
        metrics (dict): flat ``{key: value}``, as for :func:`metrics_to_report`.
        prefix (str, optional): keep only keys with this prefix.

    Returns:
        dict[str, int]: images behind each group, and the excluded count.
    """
    counts: dict[str, int] = {}
    for key, name, group, value in _split_keys(metrics, prefix):
        if key == EXCLUDED_EMPTY_KEY:
            counts[key] = int(value)
        elif name == IMAGES_KEY:
            counts[group or OVERALL] = int(value)
    return counts


def _sort_metrics(row: dict) -> dict:
    def rank(name: str) -> tuple[int, str]:
        return (METRIC_ORDER.index(name) if name in METRIC_ORDER else 99, name)

    return {k: row[k] for k in sorted(row, key=rank)}


def _fmt(value: float | None) -> str:
    if value is None:
        return '-'
    if math.isnan(value):
        return 'nan'
    return f'{value:.4f}'


def format_report_table(
    report: dict[str, dict], counts: dict[str, int] | None = None
) -> str:
    """Plain-text table: one row per group, one column per metric.

    Args:
        report (dict[str, dict]): from :func:`metrics_to_report`.
        counts (dict[str, int], optional): images behind each group; when given,
            an ``images`` column follows the group name.

    Returns:
        str: the table (no trailing newline); missing values print as ``-``.
    """
    names: list[str] = []
    for row in report.values():
        names += [n for n in row if n not in names]
    names = list(_sort_metrics(dict.fromkeys(names)))
    header = ['group', *names]
    rows = [[g, *(_fmt(report[g].get(n)) for n in names)] for g in report]
    if counts is not None:
        header.insert(1, 'images')
        for row in rows:
            row.insert(1, str(counts.get(row[0], '-')))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return ' | '.join([first, *rest])

    sep = '-+-'.join('-' * w for w in widths)
    return '\n'.join([line(header), sep, *(line(r) for r in rows)])
