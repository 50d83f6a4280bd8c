"""Parameters and MACs of a generator: ``python tools/analysis/get_flops.py CONFIG``.

Counts through ``mmengine.analysis`` plus the Mamba selective scan and causal
conv (analytic) and the attention products (see ``inpaintzoo.analysis.flops``);
runs on the CPU under ``torch.no_grad()``, one block traced at a time.

Example (the table in docs/benchmarks.md)::

    python tools/analysis/get_flops.py configs/mxt/mxt_celebahq.py --shape 256 256
"""

import argparse

from inpaintzoo.analysis import generator_complexity
from inpaintzoo.analysis.flops import MODES
from inpaintzoo.apis.cli import add_cfg_options_argument, add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import (
    add_shape_arguments,
    add_threads_argument,
    set_threads,
    write_json,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Count parameters and multiply-accumulates (GMac) of a generator'
    )
    parser.add_argument('config')
    add_shape_arguments(parser, device=False)
    parser.add_argument(
        '--mode',
        choices=MODES,
        default='units',
        help="'units': trace one block at a time (bounded memory, default); "
        "'whole': one trace of the whole generator (several GiB at 256x256)",
    )
    parser.add_argument(
        '--depth', type=int, default=1, help='module depth of the printed table'
    )
    add_threads_argument(parser)
    parser.add_argument('--out', default=None, help='also write the report as JSON')
    add_cfg_options_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    set_threads(args.threads)
    report = generator_complexity(
        args.config,
        tuple(args.shape),
        args.batch,
        cfg_options=args.cfg_options,
        mode=args.mode,
    )
    print(f'{args.config} (generator, CPU, no_grad)')
    print(report.summary())
    print(report.module_table(args.depth))
    write_json(args.out, report.to_dict())


if __name__ == '__main__':
    run_cli(main)
