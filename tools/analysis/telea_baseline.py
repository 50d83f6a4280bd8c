"""Inpaint a folder of images with OpenCV's Telea method (a classical baseline).

Example::

    python tools/analysis/telea_baseline.py imgs/ masks/ results/telea --radius 3
"""

import argparse

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import add_mask_convention_argument, mask_convention
from inpaintzoo.evaluation.baselines import telea_folder


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('img_dir', help='input images')
    parser.add_argument('mask_dir', help='masks with the same file stems')
    parser.add_argument('out_dir', help='output folder (PNG, same stems)')
    parser.add_argument('--radius', type=int, default=3, help='Telea radius (px)')
    add_mask_convention_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    written, unmatched = telea_folder(
        args.img_dir,
        args.mask_dir,
        args.out_dir,
        radius=args.radius,
        mask_convention=mask_convention(args.mask_convention),
    )
    for label, stems in unmatched.items():
        print(f'unmatched in {label}: {len(stems)} file(s): {", ".join(stems[:10])}')
    print(f'wrote {len(written)} image(s) to {args.out_dir}')
    return 0


if __name__ == '__main__':
    run_cli(main)
