"""Log-log plot and exponent table of :mod:`inpaintzoo.apis.scaling` records."""

from collections import defaultdict

from inpaintzoo.apis.scaling import ScalingRecord, fit_exponent


def group_ok(records: list[ScalingRecord]) -> dict[str, list[ScalingRecord]]:
    """Model -> its successful records, sorted by size (model order kept)."""
    groups: dict[str, list[ScalingRecord]] = defaultdict(list)
    for record in records:
        groups.setdefault(record.model, [])
        if record.status == 'ok' and record.median_s:
            groups[record.model].append(record)
    return {m: sorted(rs, key=lambda r: r.size) for m, rs in groups.items()}


def exponents(records: list[ScalingRecord]) -> dict[str, float | None]:
    """Model -> fitted exponent k of ``time ~ pixels**k`` (None under two sizes)."""
    out: dict[str, float | None] = {}
    for model, rows in group_ok(records).items():
        out[model] = (
            fit_exponent([r.pixels for r in rows], [r.median_s for r in rows])
            if len(rows) >= 2
            else None
        )
    return out


def scaling_table(records: list[ScalingRecord]) -> str:
    """Markdown table: time per size, exponent and failures per model."""
    sizes = sorted({r.size for r in records})
    by_case = {(r.model, r.size): r for r in records}
    fits = exponents(records)
    head = '| model | ' + ' | '.join(f'{s}^2 s' for s in sizes) + ' | exponent k |'
    lines = [head, '|---' * (len(sizes) + 2) + '|']
    for model, k in fits.items():
        cells = []
        for size in sizes:
            record = by_case.get((model, size))
            if record is None:
                cells.append('')
            elif record.status == 'ok':
                cells.append(f'{record.median_s:.3f}')
            else:
                cells.append(record.status)
        fit = 'n/a' if k is None else f'{k:.2f}'
        lines.append(f'| {model} | ' + ' | '.join(cells) + f' | {fit} |')
    lines.append(
        'k: least-squares slope of log(time) against log(pixels); 1 = linear in '
        'the pixel count, 2 = quadratic'
    )
    return '\n'.join(lines)


def plot_scaling(records: list[ScalingRecord], path: str, title: str = '') -> None:
    """Write a log-log PNG of forward time against pixel count.

    One solid line per model (label with its exponent), a dashed line of slope 1
    through its smallest size (linear scaling), and an ``x`` at the top for a
    size that failed (out of memory, timeout, error).

    Args:
        records (list[ScalingRecord]): The cases.
        path (str): PNG file.
        title (str): Figure title.
    """
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    fits = exponents(records)
    groups = group_ok(records)
    times = [r.median_s for rows in groups.values() for r in rows]
    top = max(times) if times else 1.0
    for model, rows in groups.items():
        color = None
        if rows:
            k = fits[model]
            label = model + ('' if k is None else f' (k = {k:.2f})')
            pixels = [r.pixels for r in rows]
            (line,) = ax.plot(pixels, [r.median_s for r in rows], 'o-', label=label)
            color = line.get_color()
            base = rows[0]
            ends = [pixels[0], pixels[-1]]
            ax.plot(
                ends,
                [base.median_s * p / base.pixels for p in ends],
                '--',
                color=color,
                alpha=0.6,
                linewidth=1,
            )
        failed = [r for r in records if r.model == model and r.status != 'ok']
        for record in failed:
            ax.plot(record.pixels, top * 1.5, 'x', color=color or 'k')
            ax.annotate(
                f'{model} {record.status}',
                (record.pixels, top * 1.5),
                fontsize=7,
                rotation=30,
            )
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_xlabel('pixels (H x W)')
    ax.set_ylabel('median forward time (s)')
    ax.set_title(title or 'forward time vs pixel count (dashed: linear from smallest)')
    ax.grid(True, which='both', alpha=0.3)
    if any(groups.values()):
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
