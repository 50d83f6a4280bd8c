"""Check an inpaintzoo model against an official golden fixture.

Example::

    python tools/check_official_equivalence.py --arch hint \
        --fixture ../shared/reference/hint

Exit status 0 iff every comparison is within tolerance (float64 1e-6, float32 1e-4
by default); 1 if one is not; 2 if the weights do not load.
"""

import argparse
import sys

from inpaintzoo.models.converters import CONVERTERS
from inpaintzoo.models.converters.equivalence import check_fixture
from inpaintzoo.utils.errors import CheckpointMismatchError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', required=True, choices=sorted(CONVERTERS))
    parser.add_argument('--fixture', required=True, help='fixture folder')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--atol64', type=float, default=1e-6)
    parser.add_argument('--atol32', type=float, default=1e-4)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        checks = check_fixture(
            args.arch, args.fixture, args.device, args.atol64, args.atol32
        )
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
    sys.exit(main())
