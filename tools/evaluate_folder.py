"""Score saved inpainting results (any method) with the official protocol.

Examples::

    python tools/evaluate_folder.py results/ gt/ masks/ --out metrics.json \
        --csv per_image.csv
    python tools/evaluate_folder.py --compare hint.json mxt.json --plot cmp.png
"""

import argparse
import json
from pathlib import Path

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.tool_options import add_mask_convention_argument, mask_convention
from inpaintzoo.evaluation import evaluate_folder, format_report_table
from inpaintzoo.evaluation.compare_plot import (
    format_comparison_table,
    load_result,
    plot_comparison,
)
from inpaintzoo.evaluation.folder import ALL_METRICS, EXCLUSION_REASONS
from inpaintzoo.evaluation.per_image import read_scores_csv, write_scores_csv
from inpaintzoo.utils.errors import ConfigError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'pred_dir', nargs='?', help='folder of results (matched by file stem)'
    )
    parser.add_argument('gt_dir', nargs='?', help='folder of ground-truth images')
    parser.add_argument('mask_dir', nargs='?', help='folder of masks')
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
    add_mask_convention_argument(parser)
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
    parser.add_argument(
        '--csv',
        metavar='FILE',
        help='write per-image scores: stem, mask_ratio, bucket, metrics, excluded',
    )
    parser.add_argument(
        '--buckets',
        metavar='CSV',
        help="take each stem's bucket from this per-image CSV (tools/test.py "
        '--csv) instead of the hole ratio, to match the test loop exactly',
    )
    parser.add_argument(
        '--bucket',
        metavar='LABEL',
        help='put every image in this bucket (e.g. 20-40%%): for one bucket folder '
        'of tools/test.py --save-images when the test scored each image once per '
        'bucket',
    )
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar on stderr'
    )
    parser.add_argument(
        '--compare',
        nargs='+',
        metavar='JSON',
        help='instead of scoring: compare result files (--out of this tool or '
        'tools/test.py) in a table; no folders are given then',
    )
    parser.add_argument(
        '--labels', nargs='+', help='method names for --compare (default: file stems)'
    )
    parser.add_argument(
        '--plot',
        metavar='PNG',
        help='with --compare: grouped bar chart per bucket and metric (matplotlib)',
    )
    parser.add_argument('--lpips-weights', help='local VGG-16 (torchvision) weights')
    parser.add_argument('--fid-weights', help='local Inception weights file')
    add_debug_argument(parser)
    return parser.parse_args(argv)


def compare(args: argparse.Namespace) -> int:
    """Print the comparison table of ``--compare`` files; plot it with ``--plot``."""
    if args.pred_dir:
        raise ConfigError(
            '--compare takes result JSON files only; leave out the folders '
            f'(got {args.pred_dir!r})'
        )
    labels = args.labels or [Path(f).stem for f in args.compare]
    if len(labels) != len(args.compare):
        raise ConfigError(
            f'--labels has {len(labels)} name(s) for {len(args.compare)} '
            '--compare file(s); give one per file'
        )
    loaded = [load_result(f) for f in args.compare]
    reports = [report for report, _ in loaded]
    print(format_comparison_table(labels, reports, [c for _, c in loaded]))
    if args.plot:
        print(f'plot written to {plot_comparison(labels, reports, args.plot)}')
    return 0


def bucket_map(csv_path: str) -> dict[str, str]:
    """``{stem: bucket}`` from a per-image CSV; refuses a stem in several buckets.

    Raises:
        ConfigError: the test scored an image once per bucket, so a stem alone
            does not say which bucket a saved file belongs to.
    """
    seen: dict[str, set[str]] = {}
    for row in read_scores_csv(csv_path):
        seen.setdefault(row['stem'], set()).add(row.get('bucket', ''))
    repeated = sorted(stem for stem, labels in seen.items() if len(labels) > 1)
    if repeated:
        raise ConfigError(
            f'{csv_path} puts {len(repeated)} image(s) in several buckets (e.g. '
            f'{repeated[0]}: {", ".join(sorted(seen[repeated[0]]))}): the test '
            'scored each image once per bucket. Re-score each bucket folder of '
            '--save-images on its own with --bucket LABEL'
        )
    return {stem: labels.pop() for stem, labels in seen.items()}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        return compare(args)
    if args.plot:
        raise ConfigError('--plot needs --compare A.json B.json ...')
    if not (args.pred_dir and args.gt_dir and args.mask_dir):
        raise ConfigError(
            'give PRED_DIR GT_DIR MASK_DIR (or --compare A.json B.json ...)'
        )
    if args.buckets and args.bucket:
        raise ConfigError('give --buckets CSV or --bucket LABEL, not both')
    buckets = args.bucket or (bucket_map(args.buckets) if args.buckets else None)
    result = evaluate_folder(
        args.pred_dir,
        args.gt_dir,
        args.mask_dir,
        metrics=args.metrics,
        composite=not args.no_composite,
        mask_convention=mask_convention(args.mask_convention),
        lpips_weights=args.lpips_weights,
        fid_weights=args.fid_weights,
        mask_pairing=args.mask_pairing,
        allow_unmatched=args.allow_unmatched,
        include_empty_masks=args.include_empty_masks,
        buckets=buckets,
        progress=not args.no_progress,
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
    if args.csv:
        csv_path = write_scores_csv(result.per_image, args.csv)
        print(f'per-image scores written to {csv_path}')
    return 0


if __name__ == '__main__':
    run_cli(main)
