"""Generator latency: ``python tools/analysis/benchmark_latency.py CONFIG [CKPT]``.

Example (the CPU targets of MxT / SEM-Net are measured at 256x256, batch 1, 2
threads)::

    python tools/analysis/benchmark_latency.py configs/mxt/mxt_places2.py \
        --shape 256 256 --threads 2
"""

import argparse

import torch

from inpaintzoo.apis.benchmark import DTYPES, benchmark_generator


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
    parser.add_argument('--threads', type=int, default=None, help='CPU threads')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--runs', type=int, default=3)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    result = benchmark_generator(
        args.config,
        args.checkpoint,
        tuple(args.shape),
        args.batch,
        args.dtype,
        args.device,
        args.warmup,
        args.runs,
    )
    print(result.line())


if __name__ == '__main__':
    main()
