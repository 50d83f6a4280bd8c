"""Write the offline demo data set (scikit-image's bundled pictures) to OUT_DIR."""

import argparse

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.datasets.demo import prepare_demo_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('out_dir', help='output folder, e.g. data/demo')
    parser.add_argument('--size', type=int, default=64, help='crop side (pixels)')
    add_debug_argument(parser)
    args = parser.parse_args()
    written = prepare_demo_data(args.out_dir, args.size)
    for key, paths in written.items():
        print(f'{key}: {len(paths)} files in {paths[0].parent}')


if __name__ == '__main__':
    run_cli(main)
