"""Inpaint one large image with a high-resolution strategy; print time and memory.

``python tools/inference_highres.py CONFIG [--checkpoint F] IMAGE MASK --out OUT
--strategy {whole,sliding,crop,resize}``. OUT is an image file, or a folder that
gets ``<IMAGE stem>.png``. The files, their sizes and ``--out`` are checked as
``inpaintzoo inpaint`` checks them, before the model is built; mask warnings and
the random-weights warning are one ``warning: ...`` line each. See
docs/inference_highres.md.
"""

import argparse
from pathlib import Path

import torch

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.highres import STRATEGIES
from inpaintzoo.apis.highres_run import (
    FALLBACK_TRAIN_SIZE,
    build_inpaintor,
    inpaint_file,
)
from inpaintzoo.apis.mask_inputs import DEFAULT_MASK_THRESHOLD, check_mask_threshold
from inpaintzoo.apis.tool_options import add_mask_convention_argument
from inpaintzoo.cli.cmd_inpaint import mask_warnings_on_stderr
from inpaintzoo.cli.input_files import check_pair_sizes, check_readable
from inpaintzoo.cli.output_files import plan_results
from inpaintzoo.cli.shared_args import add_orientation_argument
from inpaintzoo.cli.warning_lines import random_weights_as_line
from inpaintzoo.utils.freed_memory import (
    add_freed_memory_argument,
    apply_freed_memory_argument,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='High-resolution inpainting')
    parser.add_argument('config', help='config file or name under configs/')
    parser.add_argument('image', help='image file')
    parser.add_argument(
        'mask', help='mask file (white = hole unless --mask-convention)'
    )
    parser.add_argument('--checkpoint', help='weights (.pth); random weights without')
    parser.add_argument('--out', required=True, help='output .png file or folder')
    parser.add_argument('--strategy', choices=STRATEGIES, default='crop')
    parser.add_argument(
        '--train-size',
        type=int,
        default=None,
        help='training resolution the strategies work at (crop windows are at '
        'least this wide; crop and resize downscale to about its square). '
        f"Default: the config's img_size, or {FALLBACK_TRAIN_SIZE} when the config "
        'states none (what `inpaintzoo inpaint` uses)',
    )
    parser.add_argument('--tile', type=int, default=512, help='sliding: tile side')
    parser.add_argument('--overlap', type=int, default=64, help='sliding: tile overlap')
    parser.add_argument(
        '--context', type=float, default=2.0, help='crop: window / hole side'
    )
    add_mask_convention_argument(parser)  # read_pair takes either spelling
    parser.add_argument(
        '--mask-threshold',
        type=float,
        default=DEFAULT_MASK_THRESHOLD,
        help='a mask value above it is a hole (hole-white; below 255 minus it '
        f'with known-white). Default {DEFAULT_MASK_THRESHOLD}, as `inpaintzoo '
        'inpaint`; 0 makes every non-zero (anti-aliased) pixel a hole',
    )
    add_orientation_argument(parser)
    parser.add_argument(
        '--device', default='cpu', help='cpu (default), cuda, cuda:1, ...'
    )
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    add_freed_memory_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args(argv)


def strategy_options(args: argparse.Namespace) -> dict:
    """The options of ``args.strategy`` only."""
    if args.strategy == 'sliding':
        return dict(tile=args.tile, overlap=args.overlap)
    if args.strategy == 'crop':
        return dict(context=args.context)
    return {}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    apply_freed_memory_argument(args)
    if args.threads:
        torch.set_num_threads(args.threads)
    # the checks of `inpaintzoo inpaint`, made before the model is built
    check_mask_threshold(args.mask_threshold, '--mask-threshold')
    image, mask = Path(args.image), Path(args.mask)
    (target,) = plan_results(args.out, [image], [mask], [image])
    check_readable([image, mask])
    check_pair_sizes([image], [mask], args.orientation)
    with random_weights_as_line():
        model = build_inpaintor(args.config, args.checkpoint, args.device)
    with mask_warnings_on_stderr():
        report = inpaint_file(
            model,
            image,
            mask,
            target,
            strategy=args.strategy,
            train_size=args.train_size,
            mask_convention=args.mask_convention,
            mask_threshold=args.mask_threshold,
            orientation=args.orientation,
            **strategy_options(args),
        )
    print(report.line())


if __name__ == '__main__':
    run_cli(main)
