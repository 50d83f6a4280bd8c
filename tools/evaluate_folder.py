"""Score saved inpainting results (any method) with the official protocol.

Example::

    python tools/evaluate_folder.py results/ gt/ masks/ --out metrics.json
"""

import argparse
import json
from pathlib import Path

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.evaluation import evaluate_folder, format_report_table
from inpaintzoo.evaluation.folder import ALL_METRICS, EXCLUSION_REASONS


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
    parser.add_argument(
        '--mask-pairing',
        choices=('stem', 'cyclic'),
        default='stem',
        help='stem (default): every file pairs by stem; cyclic: GT i (sorted) gets '
        'mask i mod n_masks, as the official test does',
    )
    parser.add_argument(
        '--allow-unmatched',
        action='store_true',
        help='score only stems present in every folder (default: refuse)',
    )
    parser.add_argument(
        '--include-empty-masks',
        action='store_true',
        help='keep images whose mask has no hole in "overall" (default: excluded)',
    )
    parser.add_argument(
        '--out', help='write metrics, counts, exclusions and notes as JSON'
    )
    parser.add_argument('--lpips-weights', help='local VGG-16 (torchvision) weights')
    parser.add_argument('--fid-weights', help='local Inception weights file')
    add_debug_argument(parser)
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
        mask_pairing=args.mask_pairing,
        allow_unmatched=args.allow_unmatched,
        include_empty_masks=args.include_empty_masks,
    )
    for label, stems in result.unmatched.items():
        print(f'unmatched in {label}: {len(stems)} file(s): {", ".join(stems[:10])}')
    for note in [*result.notes, *result.skipped]:
        print(f'note: {note}')
    print(f'scored {result.num_images} image(s)')
    for reason, stems in result.excluded.items():
        shown = ', '.join(stems[:10]) + (', ...' if len(stems) > 10 else '')
        why = EXCLUSION_REASONS.get(reason, reason)
        print(f'excluded {len(stems)} image(s), {why}: {shown}')
    print(format_report_table(result.report, result.counts))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result.to_dict(), indent=2) + '\n')
        print(f'report written to {args.out}')
    return 0


if __name__ == '__main__':
    run_cli(main)
