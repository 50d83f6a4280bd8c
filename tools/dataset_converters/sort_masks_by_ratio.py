"""Sort a mask folder into hole-ratio bucket folders (OUT_DIR/20-40%/...)."""

import argparse

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import add_mask_convention_argument, mask_convention
from inpaintzoo.datasets.masks.sort_by_ratio import sort_masks_by_ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('mask_dir', help='folder of mask images (recursive)')
    parser.add_argument('out_dir', help='output folder')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--copy', dest='mode', action='store_const', const='copy')
    group.add_argument('--symlink', dest='mode', action='store_const', const='symlink')
    add_mask_convention_argument(parser, '--convention')
    parser.add_argument('--threshold', type=float, default=0)
    add_debug_argument(parser)
    args = parser.parse_args()
    counts = sort_masks_by_ratio(
        args.mask_dir,
        args.out_dir,
        mode=args.mode or 'copy',
        convention=mask_convention(args.convention),
        threshold=args.threshold,
    )
    for label, count in counts.items():
        print(f'{label:>10}: {count}')


if __name__ == '__main__':
    run_cli(main)
