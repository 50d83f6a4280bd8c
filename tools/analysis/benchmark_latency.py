"""Generator latency: ``python tools/analysis/benchmark_latency.py CONFIG [CKPT]``.

Example (the CPU targets of MxT / SEM-Net are measured at 256x256, batch 1, 2
threads)::

    python tools/analysis/benchmark_latency.py configs/mxt/mxt_places2.py \
        --shape 256 256 --threads 2

Sweeps and a JSON record (median_s, images_per_s, peak_mem_mb, gmac, gflops,
pct_of_fp32_peak per case)::

    python tools/analysis/benchmark_latency.py configs/mxt/mxt_places2.py \
        --shapes 128 256x256 --batch-sizes 1 2 --out latency.json

Every line gives the achieved GFLOP/s (2 x MACs / median time; MACs counted once
per config and size) as a percentage of the fp32 ``torch.mm`` peak measured at
the start of the same run (``--peak-n``, ``--no-peak``). Options that change
numerics are flags, each reported with its error against the fp32 eager output
on the same input: ``--dtype bf16`` (``torch.autocast``, weights stay fp32; the
bf16 matmul peak is measured too), ``--cast-weights`` (convert weights and inputs
instead, as before) and ``--compile`` (``torch.compile``; the first call is timed
separately)::

    python tools/analysis/benchmark_latency.py \
        configs/hint/hint_1xb4-300k_places2-256x256.py --threads 2 --dtype bf16

The process keeps freed memory for reuse, as the ``inpaintzoo`` commands do
(:mod:`inpaintzoo.utils.freed_memory`; ``--no-keep-freed-memory`` for glibc's
defaults). ``--cpu-kernels both`` and ``--freed-memory both`` time the two
settings in four fresh processes (off, on, on, off) and print the speedup.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from inpaintzoo.apis.benchmark import DTYPES, benchmark_sweep, check_benchmark_args
from inpaintzoo.apis.cli import add_cfg_options_argument, add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import (
    add_shape_arguments,
    add_threads_argument,
    add_timing_arguments,
    set_threads,
    write_json,
)
from inpaintzoo.models.layers import fused_cpu
from inpaintzoo.utils import ConfigError
from inpaintzoo.utils.freed_memory import (
    add_freed_memory_argument,
    apply_freed_memory_argument,
)
from inpaintzoo.utils.matmul_peak import matmul_peak


def parse_shape(text: str) -> tuple[int, int]:
    """``'256'`` -> (256, 256); ``'256x192'`` -> (256, 192) (H x W)."""
    parts = text.lower().split('x')
    if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(
            f'a size is H or HxW with positive integers (e.g. 256x256), got {text!r}'
        )
    h, w = (int(parts[0]), int(parts[-1]))
    return h, w


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark a generator')
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None)
    add_shape_arguments(parser)
    parser.add_argument(
        '--dtype',
        choices=sorted(DTYPES),
        default='fp32',
        help='fp32 (default), or bf16 / fp16 under torch.autocast with fp32 '
        'weights; the error against fp32 is reported',
    )
    parser.add_argument(
        '--cast-weights',
        action='store_true',
        help='with --dtype bf16/fp16: convert weights and inputs to that dtype '
        'instead of autocast (the behaviour before autocast)',
    )
    parser.add_argument(
        '--compile',
        action='store_true',
        help='run torch.compile(generator); compile time is reported separately',
    )
    parser.add_argument(
        '--no-flops',
        action='store_true',
        help='skip the MAC count (one traced forward per config and size)',
    )
    parser.add_argument(
        '--no-peak', action='store_true', help='skip the matmul peak measurement'
    )
    parser.add_argument(
        '--peak-n',
        type=int,
        default=4096,
        help='side of the square torch.mm of the peak measurement',
    )
    add_threads_argument(parser)
    add_timing_arguments(parser)
    parser.add_argument(
        '--shapes',
        type=parse_shape,
        nargs='+',
        default=None,
        metavar='HxW',
        help='sweep these sizes (256 or 256x192); overrides --shape',
    )
    parser.add_argument(
        '--batch-sizes',
        type=int,
        nargs='+',
        default=None,
        help='sweep these batch sizes; overrides --batch',
    )
    parser.add_argument(
        '--out', default=None, help='write the results as JSON to this file'
    )
    add_cfg_options_argument(parser)
    parser.add_argument(
        '--cpu-kernels',
        choices=['on', 'off', 'both'],
        default='on',
        help='the fused CPU inference paths (inpaintzoo.models.layers.fused_cpu): '
        "'off' is the plain PyTorch path, 'both' times off, on, on, off, each in a "
        'fresh process, and prints the speedup (default: on)',
    )
    add_freed_memory_argument(parser)
    parser.add_argument(
        '--freed-memory',
        choices=['both'],
        default=None,
        help="'both' times --no-keep-freed-memory and --keep-freed-memory, off, "
        'on, on, off, each in a fresh process, and prints the speedup',
    )
    add_debug_argument(parser)
    return parser.parse_args()


@dataclass(frozen=True)
class Comparison:
    """What ``--cpu-kernels both`` or ``--freed-memory both`` compares.

    Attributes:
        title (str): for the printed lines.
        options (tuple[str, ...]): options (with a value) of the parent's argv a
            child does not inherit: the one that asked for the comparison and
            those the child gets in ``modes``; every other argument, the other
            setting included, reaches the child as given.
        flags (tuple[str, ...]): flags (no value) a child does not inherit.
        modes (dict): each mode's (``'off'``, ``'on'``) arguments of the child.
    """

    title: str
    options: tuple[str, ...]
    flags: tuple[str, ...]
    modes: dict[str, list[str]]


COMPARISONS = {
    'cpu_kernels': Comparison(
        'CPU fast paths',
        ('--cpu-kernels', '--out'),
        (),
        {'off': ['--cpu-kernels', 'off'], 'on': ['--cpu-kernels', 'on']},
    ),
    'freed_memory': Comparison(
        'Kept freed memory',
        ('--freed-memory', '--out'),
        ('--keep-freed-memory', '--no-keep-freed-memory'),
        {'off': ['--no-keep-freed-memory'], 'on': ['--keep-freed-memory']},
    ),
}


def main() -> None:
    args = parse_args()
    compared = [name for name in COMPARISONS if getattr(args, name) == 'both']
    if len(compared) > 1:
        raise ConfigError(
            'compare one setting at a time: --cpu-kernels both or --freed-memory both'
        )
    if compared:
        compare_modes(args, COMPARISONS[compared[0]])
        return
    apply_freed_memory_argument(args)
    set_threads(args.threads)
    shapes = args.shapes or [tuple(args.shape)]
    batch_sizes = args.batch_sizes or [args.batch]
    for shape in shapes:  # bad input fails before the peak is measured
        check_benchmark_args(
            args.config,
            args.checkpoint,
            shape,
            min(batch_sizes),
            args.dtype,
            args.device,
            args.runs,
        )
    peak = dtype_peak = None
    if not args.no_peak:
        peak = matmul_peak('fp32', args.peak_n, args.device)
        print(peak.line())
        if args.dtype != 'fp32':
            dtype_peak = matmul_peak(args.dtype, args.peak_n, args.device)
            print(dtype_peak.line())
    os.environ[fused_cpu.ENV_VAR] = args.cpu_kernels
    results = benchmark_sweep(
        args.config,
        args.checkpoint,
        shapes=shapes,
        batch_sizes=batch_sizes,
        dtype=args.dtype,
        device=args.device,
        warmup=args.warmup,
        runs=args.runs,
        cast_weights=args.cast_weights,
        compile=args.compile,
        count_macs=not args.no_flops,
        peak=peak,
        dtype_peak=dtype_peak,
        cfg_options=args.cfg_options,
    )
    for result in results:
        print(f'{result.line()}; {result.images_per_s:.2f} images/s')
    records = [
        dict(
            r.to_dict(),
            cpu_fast_paths=args.cpu_kernels,
            keep_freed_memory=args.keep_freed_memory,
        )
        for r in results
    ]
    write_json(args.out, records)


def _argv_without(
    argv: list[str], options: tuple[str, ...], flags: tuple[str, ...] = ()
) -> list[str]:
    """``argv`` without ``options`` (``--opt V`` or ``--opt=V``) and ``flags``."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in options:
            skip = True
        elif arg not in flags and not arg.startswith(tuple(f'{o}=' for o in options)):
            kept.append(arg)
    return kept


#: process order of a comparison: a drift of the machine during the run (it
#: happens here: the same command spreads by 10-20 %) weighs on both modes alike
BOTH_ORDER = ('off', 'on', 'on', 'off')


def compare_modes(args: argparse.Namespace, comparison: Comparison) -> None:
    """Time two settings off, on, on, off, each in a fresh process; speedups.

    Used by ``--cpu-kernels both`` and ``--freed-memory both``. Separate
    processes, because a process that has run the PyTorch path first ran the
    fast paths about 20 % slower (HINT at 256²: 5.16 s against 4.34 s in a fresh
    process): the big maps the first path freed stay behind in the allocator.
    The mirrored order, because the process run second was slower on this
    machine whatever its mode (SEM-Net: off-then-on gave 0.92x, alternating
    processes gave on 4 % faster). Each mode's time is the mean of its two
    process medians.

    Args:
        args (Namespace): the parsed arguments (``--out`` is written here).
        comparison (Comparison): what is compared.
    """
    title = comparison.title
    argv = _argv_without(sys.argv[1:], comparison.options, comparison.flags)
    runs: dict[str, list[list[dict]]] = {'off': [], 'on': []}
    with tempfile.TemporaryDirectory() as tmp:
        for i, mode in enumerate(BOTH_ORDER):
            out = Path(tmp) / f'{i}-{mode}.json'
            print(f'--- {title} {mode} (fresh process)', flush=True)
            cmd = [sys.executable, __file__, *argv, *comparison.modes[mode]]
            done = subprocess.run([*cmd, '--out', str(out)], check=False)
            if done.returncode != 0:
                raise SystemExit(done.returncode)
            runs[mode].append(json.loads(out.read_text()))
    for offs, ons in zip(zip(*runs['off']), zip(*runs['on'])):
        off_s = sum(r['median_s'] for r in offs) / len(offs)
        on_s = sum(r['median_s'] for r in ons) / len(ons)
        shape = f'{ons[0]["batch"]}x3x{ons[0]["height"]}x{ons[0]["width"]}'
        each_off = ', '.join(f'{r["median_s"]:.3f}' for r in offs)
        each_on = ', '.join(f'{r["median_s"]:.3f}' for r in ons)
        print(
            f'{title} ({shape}): {off_s / on_s:.2f}x faster ({off_s:.3f} s '
            f'-> {on_s:.3f} s; process medians off {each_off}, on {each_on})'
        )
    records = [r for mode in ('off', 'on') for run in runs[mode] for r in run]
    write_json(args.out, records)


if __name__ == '__main__':
    run_cli(main)
