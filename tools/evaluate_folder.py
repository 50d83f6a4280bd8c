"""Score saved inpainting results (any method) with the official protocol.

Example::

    python tools/evaluate_folder.py results/ gt/ masks/ --out metrics.json
"""

import argparse
import json
import sys
from pathlib import Path

from inpaintzoo.evaluation import evaluate_folder, format_report_table
from inpaintzoo.evaluation.folder import ALL_METRICS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pred_dir', help='folder of results (matched by file stem)')
    parser.add_argument('gt_dir', help='folder of ground-truth images')
    parser.add_argument('mask_dir', help='folder of masks')
    parser.add_argument(
        '--metrics',
        nargs='+',
        choices=ALL_METRICS,
        default=None,
        help='default: all; LPIPS/FID are skipped when their weights are missing',
    )
    parser.add_argument(
        '--no-composite',
        action='store_true',
        help='score the files as saved instead of pasting the GT outside the hole',
    )
    parser.add_argument(
        '--mask-convention', choices=('white_hole', 'black_hole'), default='white_hole'
    )
    parser.add_argument('--out', help='write the nested report as JSON')
    parser.add_argument('--lpips-weights', help='local VGG-16 (torchvision) weights')
    parser.add_argument('--fid-weights', help='local Inception weights file')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = evaluate_folder(
        args.pred_dir,
        args.gt_dir,
        args.mask_dir,
        metrics=args.metrics,
        composite=not args.no_composite,
        mask_convention=args.mask_convention,
        lpips_weights=args.lpips_weights,
        fid_weights=args.fid_weights,
    )
    for label, stems in result.unmatched.items():
        print(f'unmatched in {label}: {len(stems)} file(s): {", ".join(stems[:10])}')
    for note in result.skipped:
        print(f'note: {note}')
    print(f'scored {result.num_images} image(s)')
    print(format_report_table(result.report))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result.report, indent=2) + '\n')
        print(f'report written to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
