"""Training-step time and peak memory, with and without activation checkpointing.

``python tools/analysis/benchmark_train.py CONFIG --shape H W --batch N``

Runs ``--iters`` full G + D ``train_step`` calls (the config's model, losses with
a randomly initialised VGG, optimisers; random images, free-form masks, landmarks
for NCLG-MT) once per ``--with-cp`` value, each case in a fresh Python process,
and prints a table: median seconds per iteration after one warm-up step, its ratio
to the first case, and the RSS before the first step and the process's peak RSS
(MiB; Python + torch + weights + gradients + Adam states + VGG + activations).

Example (issue #13, one case at a time, 2 threads)::

    python tools/analysis/benchmark_train.py configs/mxt/mxt_celebahq.py \
        --shape 256 256 --batch 1 --threads 2 --iters 3 --out mxt_train.json

``--with-cp`` takes ``off``, ``on`` or a literal: ``[True,True,False,False]``
(InpaintUNet levels 1-4) or ``"['middle','decoder']"`` (NCLG-MT stages).
"""

import argparse

from inpaintzoo.apis.benchmark_train import (
    format_table,
    parse_with_cp,
    run_case_subprocess,
)
from inpaintzoo.apis.cli import add_cfg_options_argument, add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import (
    add_shape_arguments,
    add_threads_argument,
    write_json,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Time and peak memory of full G + D training iterations'
    )
    parser.add_argument('config')
    add_shape_arguments(parser)
    parser.add_argument(
        '--with-cp',
        nargs='+',
        default=['off', 'on'],
        metavar='VALUE',
        help='generator with_cp per case: off, on or a literal such as '
        '[True,True,False,False]; default: off on',
    )
    parser.add_argument(
        '--iters',
        type=int,
        default=3,
        help='train steps per case, the first is the warm-up',
    )
    add_threads_argument(parser)
    parser.add_argument('--out', default=None, help='also write the results as JSON')
    add_cfg_options_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    results = []
    for value in args.with_cp:
        result = run_case_subprocess(
            threads=args.threads,
            config=args.config,
            with_cp=parse_with_cp(value),
            shape=list(args.shape),
            batch=args.batch,
            iters=args.iters,
            device=args.device,
            cfg_options=args.cfg_options,
        )
        results.append(result)
        steps = ', '.join(f'{t:.2f}' for t in result.times_s)
        cpu = ', '.join(f'{t:.2f}' for t in result.cpu_times_s)
        print(
            f'with_cp={result.with_cp}: steps {steps} s (CPU {cpu} s); '
            f'start {result.start_mib:.0f} MiB, peak {result.peak_mib:.0f} MiB',
            flush=True,
        )
    print(format_table(results))
    memory = 'peak RSS of the case process (CPU)'
    if args.device.startswith('cuda'):
        memory = 'peak allocated tensor memory (CUDA)'
    print(
        f'memory: {memory}; time: median wall / process CPU seconds after 1 '
        f'warm-up of {args.iters} steps'
    )
    write_json(args.out, [r.to_dict() for r in results])


if __name__ == '__main__':
    run_cli(main)
