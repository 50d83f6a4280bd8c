"""Official generator vs ours, same machine, same weights, same input.

Example (the #13 target: HINT at 256x256, batch 1, 2 threads)::

    git clone https://github.com/ChrisChen1023/HINT ~/src/HINT
    pip install einops                      # the official code imports it
    python tools/analysis/benchmark_official.py --arch hint \
        --official-repo ~/src/HINT --shape 256 256 --threads 2 --rounds 2

MxT and SEM-Net (``--arch mxt`` / ``sem_net``; checkouts of ChrisChen1023/MxT and
/SEM-Net) import mamba-ssm. On a machine without CUDA, install it without its
kernels; the official process then runs mamba-ssm's own PyTorch reference scan::

    MAMBA_FORCE_BUILD=TRUE MAMBA_SKIP_CUDA_BUILD=TRUE pip install \
        --no-build-isolation mamba-ssm==2.3.2.post1 transformers einops
    python tools/analysis/benchmark_official.py --arch sem_net \
        --official-repo ~/src/SEM-Net --shape 256 256 --threads 2 --rounds 1

Each round runs the official generator in a fresh process (random weights, seed
0; they are saved), then ours in a fresh process with those weights converted,
on the same image and mask; the outputs must agree (``--atol``) or the run
stops. Prints every timed forward, both medians, peak memory and the speedup.
Both processes keep freed memory for reuse, as the ``inpaintzoo`` commands do
(``--no-keep-freed-memory``: glibc's defaults in both).
The official code is imported only from a checkout that belongs to you and is
not writable by group/others.
"""

import argparse
import json

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.official_benchmark import benchmark_against_official
from inpaintzoo.apis.official_recipes import OFFICIAL_RECIPES
from inpaintzoo.apis.tool_options import (
    add_shape_arguments,
    add_threads_argument,
    add_timing_arguments,
    write_json,
)
from inpaintzoo.utils.freed_memory import add_freed_memory_argument


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', required=True, choices=sorted(OFFICIAL_RECIPES))
    parser.add_argument(
        '--official-repo', required=True, help='your checkout of the official code'
    )
    add_shape_arguments(parser)
    add_threads_argument(parser)
    add_timing_arguments(parser)
    parser.add_argument(
        '--rounds', type=int, default=2, help='official-then-ours process pairs'
    )
    parser.add_argument(
        '--official-kwargs',
        type=json.loads,
        default=None,
        help='official constructor kwargs as JSON (default: the paper-size model)',
    )
    parser.add_argument(
        '--atol', type=float, default=1e-4, help='largest allowed output difference'
    )
    parser.add_argument('--out', default=None, help='write the result as JSON here')
    add_freed_memory_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    result = benchmark_against_official(
        args.arch,
        args.official_repo,
        shape=tuple(args.shape),
        batch=args.batch,
        threads=args.threads,
        device=args.device,
        warmup=args.warmup,
        runs=args.runs,
        rounds=args.rounds,
        kwargs=args.official_kwargs,
        atol=args.atol,
        keep_freed_memory=args.keep_freed_memory,
    )
    print('\n'.join(result.lines()))
    write_json(args.out, result.to_dict())


if __name__ == '__main__':
    run_cli(main)
