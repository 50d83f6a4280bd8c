"""Check an inpaintzoo model against an official golden fixture.

Example::

    python tools/check_official_equivalence.py --arch hint \
        --fixture ../shared/reference/hint

    # one training iteration against the official one (docs/training_fidelity.md)
    python tools/check_official_equivalence.py --arch hint --train-step \
        --fixture ../shared/reference/hint_train_step

Exit status 0 iff every comparison is within tolerance (float64 1e-6, float32 1e-4
by default; 1e-10 for --train-step); 1 if one is not; 2 if the weights do not load.
"""

import argparse
import sys

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.train_step_check import ARCH_CONFIGS, check_train_step
from inpaintzoo.models.converters import list_archs
from inpaintzoo.models.converters.equivalence import check_fixture
from inpaintzoo.utils.errors import CheckpointMismatchError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', required=True, choices=list_archs())
    parser.add_argument('--fixture', required=True, help='fixture folder')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--atol64', type=float, default=1e-6)
    parser.add_argument('--atol32', type=float, default=1e-4)
    parser.add_argument(
        '--train-step',
        action='store_true',
        help='FIXTURE is a train-step fixture (e.g. shared/reference/'
        "hint_train_step): run one float64 training iteration of the arch's "
        'training config from the official weights and compare weights, '
        'gradients, output and losses with the official step',
    )
    parser.add_argument(
        '--config',
        default=None,
        help='--train-step only: training config (path or name under configs/); '
        "default: the arch's official-recipe config",
    )
    parser.add_argument(
        '--step-atol',
        type=float,
        default=1e-10,
        help='--train-step tolerance of every comparison (float64)',
    )
    add_debug_argument(parser)
    args = parser.parse_args(argv)
    if args.train_step and args.arch not in ARCH_CONFIGS:
        parser.error(
            f'--train-step needs --arch in {sorted(ARCH_CONFIGS)} (train-step '
            f'fixtures exist for those), got {args.arch!r}'
        )
    return args


def _run_checks(args: argparse.Namespace) -> list:
    if not args.train_step:
        return check_fixture(
            args.arch, args.fixture, args.device, args.atol64, args.atol32
        )
    return check_train_step(
        args.arch, args.fixture, args.config, args.device, args.step_atol
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        checks = _run_checks(args)
    except (CheckpointMismatchError, FileNotFoundError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    for c in checks:
        status = 'ok  ' if c.passed else 'FAIL'
        print(
            f'{status} {c.name:<45} max|diff| = {c.max_abs_diff:.3e} (atol {c.atol:g})'
        )
    failed = [c for c in checks if not c.passed]
    print(f'{len(checks) - len(failed)}/{len(checks)} checks passed')
    return 1 if failed else 0


if __name__ == '__main__':
    run_cli(main)
