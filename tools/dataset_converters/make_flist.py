"""Write a .flist (one image path per line) for the images under DIR."""

import argparse
import os

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.datasets.file_list import list_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('dir', help='image folder (searched recursively)')
    parser.add_argument('out', help='output .flist file')
    parser.add_argument(
        '--numeric-sort',
        action='store_true',
        help="compare digit runs as numbers ('2.jpg' < '10.jpg'); default is "
        'plain lexicographic order, as the official flist tool',
    )
    parser.add_argument(
        '--absolute',
        action='store_true',
        help="write absolute paths (default: relative to the flist's folder)",
    )
    add_debug_argument(parser)
    args = parser.parse_args()
    paths = list_folder(args.dir, numeric_sort=args.numeric_sort)
    base = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(base, exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        for path in paths:
            path = os.path.abspath(path)
            f.write((path if args.absolute else os.path.relpath(path, base)) + '\n')
    print(f'{len(paths)} paths written to {args.out}')


if __name__ == '__main__':
    run_cli(main)
