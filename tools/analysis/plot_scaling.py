r"""Forward time against pixel count for HINT, MxT, SEM-Net and NCLG-MT.

Each (model, size) runs in a fresh process under an address-space cap, so a
size that runs out of memory is recorded as ``oom`` and the sweep goes on. The
script writes the records as JSON, a log-log PNG (one line per model, dashed:
linear scaling from the model's smallest size) and prints a table with the
fitted exponent k of ``time ~ pixels**k`` (1 = linear).

Examples::

    python tools/analysis/plot_scaling.py --threads 2 \
        --out-json work_dirs/scaling.json --out-png work_dirs/scaling.png
    # two models, three sizes
    python tools/analysis/plot_scaling.py --models HINT MxT --sizes 128 256 512
    # replot an earlier run without measuring again
    python tools/analysis/plot_scaling.py --from-json work_dirs/scaling.json \
        --out-png scaling.png

NCLG-MT is built with ``model.generator.input_size`` set to each size (same
weights; every layer is size-agnostic). ``--config NAME=PATH`` replaces or adds a
model's config (e.g. a tiny one).
"""

import argparse
import json
import os.path as osp

from inpaintzoo.apis.cli import add_cfg_options_argument, add_debug_argument, run_cli
from inpaintzoo.apis.scaling import (
    SCALING_MODELS,
    SCALING_SIZES,
    ScalingRecord,
    run_scaling_case,
)
from inpaintzoo.apis.scaling_plot import exponents, plot_scaling, scaling_table
from inpaintzoo.apis.tool_options import add_threads_argument, add_timing_arguments
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.freed_memory import add_freed_memory_argument


def parse_config(text: str) -> tuple[str, str]:
    """``'HINT=configs/x.py'`` -> ``('HINT', 'configs/x.py')``."""
    name, sep, path = text.partition('=')
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f'expected NAME=CONFIG, got {text!r}')
    return name, path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Forward time vs pixel count: sweep, JSON, log-log PNG, exponents'
    )
    parser.add_argument(
        '--models',
        nargs='+',
        default=None,
        help=f'model names (default: {" ".join(SCALING_MODELS)}, plus --config ones)',
    )
    parser.add_argument(
        '--config',
        type=parse_config,
        action='append',
        default=[],
        metavar='NAME=CONFIG',
        help='config of a model (replaces the default one, or adds a model)',
    )
    parser.add_argument(
        '--sizes',
        type=int,
        nargs='+',
        default=list(SCALING_SIZES),
        help='square sides (default: %(default)s)',
    )
    add_threads_argument(parser)
    add_timing_arguments(parser)
    parser.add_argument(
        '--max-mem-gb',
        type=float,
        default=20.0,
        help='address-space cap (RLIMIT_AS) of each case process in GiB; it counts '
        'virtual memory (~4 GiB of it is mapped libraries); 0: no cap',
    )
    parser.add_argument(
        '--timeout',
        type=float,
        default=3600.0,
        help='seconds before a case is killed and recorded as timeout',
    )
    parser.add_argument(
        '--flops', action='store_true', help='also count GMACs of every case'
    )
    parser.add_argument('--out-json', default='scaling.json')
    parser.add_argument('--out-png', default='scaling.png')
    parser.add_argument(
        '--from-json',
        default=None,
        help='replot this earlier --out-json instead of measuring',
    )
    add_cfg_options_argument(parser)
    add_freed_memory_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args()


def load_records(path: str) -> list[ScalingRecord]:
    """Records of an earlier ``--out-json``."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'--from-json file {path} does not exist')
    with open(path) as f:
        rows = json.load(f)
    fields = set(ScalingRecord.__dataclass_fields__)
    return [
        ScalingRecord(**{k: v for k, v in row.items() if k in fields}) for row in rows
    ]


def measure(args: argparse.Namespace) -> list[ScalingRecord]:
    """Run every (model, size) case, printing each as it finishes."""
    configs = {**SCALING_MODELS, **dict(args.config)}
    names = args.models or list(configs)
    unknown = [n for n in names if n not in configs]
    if unknown:
        raise ConfigError(
            f'unknown model(s) {unknown}; known: {sorted(configs)} '
            '(add one with --config NAME=CONFIG)'
        )
    if min(args.sizes) < 1:
        raise ConfigError(f'sizes must be positive, got {args.sizes}')
    for name in names:
        if not osp.isfile(configs[name]):
            raise FileNotFoundError(f'config file {configs[name]} does not exist')
    records = []
    for name in names:
        for size in sorted(args.sizes):
            record = run_scaling_case(
                name,
                configs[name],
                size,
                max_mem_gb=args.max_mem_gb or None,
                timeout_s=args.timeout,
                threads=args.threads,
                warmup=args.warmup,
                runs=args.runs,
                flops=args.flops,
                cfg_options=args.cfg_options,
                keep_freed_memory=args.keep_freed_memory,
            )
            detail = (
                f'{record.median_s:.3f} s, peak {record.peak_mib:.0f} MiB'
                if record.status == 'ok'
                else f'{record.status}: {record.message}'
            )
            print(f'{name} {size}x{size}: {detail}', flush=True)
            records.append(record)
            with open(args.out_json, 'w') as f:  # after every case: a crash keeps them
                json.dump([r.to_dict() for r in records], f, indent=2)
    print(f'wrote {args.out_json}')
    return records


def main() -> None:
    args = parse_args()
    records = load_records(args.from_json) if args.from_json else measure(args)
    print(scaling_table(records))
    plot_scaling(records, args.out_png)
    print(f'wrote {args.out_png}')
    linear = [m for m, k in exponents(records).items() if k is not None and k < 1.15]
    print(f'linear (k < 1.15): {", ".join(linear) or "none"}')


if __name__ == '__main__':
    run_cli(main)
