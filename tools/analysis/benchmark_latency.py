"""Generator latency: ``python tools/analysis/benchmark_latency.py CONFIG [CKPT]``.

Example (the CPU targets of MxT / SEM-Net are measured at 256x256, batch 1, 2
threads)::

    python tools/analysis/benchmark_latency.py configs/mxt/mxt_places2.py \
        --shape 256 256 --threads 2

Sweeps and a JSON record (median_s, images_per_s, peak_mem_mb per case)::

    python tools/analysis/benchmark_latency.py configs/mxt/mxt_places2.py \
        --shapes 128 256x256 --batch-sizes 1 2 --out latency.json
"""

import argparse

import torch

from inpaintzoo.apis.benchmark import DTYPES, benchmark_sweep
from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import add_threads_argument, set_threads, write_json


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
    parser.add_argument('--shape', type=int, nargs=2, default=(256, 256))
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--dtype', choices=sorted(DTYPES), default='fp32')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu'
    )
    add_threads_argument(parser)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--runs', type=int, default=3)
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
    add_debug_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    set_threads(args.threads)
    results = benchmark_sweep(
        args.config,
        args.checkpoint,
        shapes=args.shapes or [tuple(args.shape)],
        batch_sizes=args.batch_sizes or [args.batch],
        dtype=args.dtype,
        device=args.device,
        warmup=args.warmup,
        runs=args.runs,
    )
    for result in results:
        print(f'{result.line()}; {result.images_per_s:.2f} images/s')
    write_json(args.out, [r.to_dict() for r in results])


if __name__ == '__main__':
    run_cli(main)
