"""``inpaintzoo inpaint``: inpaint images with a zoo model or a config.

A thin layer over :func:`inpaintzoo.apis.init_model` and
:func:`inpaintzoo.apis.inpaint`: this module only gathers the files (see
:mod:`inpaintzoo.cli.input_files` and :mod:`~inpaintzoo.cli.output_files`),
loads the model once, and writes one PNG per image.
"""

import argparse
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from inpaintzoo.cli.input_files import (
    check_pair_sizes,
    check_readable,
    collect_images,
    pair_masks,
)
from inpaintzoo.cli.output_files import make_parent, plan_results
from inpaintzoo.cli.progress import emit, note, progress, progress_enabled
from inpaintzoo.cli.shared_args import (
    add_images_argument,
    add_orientation_argument,
    add_run_arguments,
    add_tiling_arguments,
)
from inpaintzoo.cli.warning_lines import random_weights_as_line, warnings_as_lines
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.pixel_limit import open_quietly

#: values of ``--strategy``: ``'auto'`` + :data:`inpaintzoo.apis.highres.STRATEGIES`
#: (a test keeps them equal, so ``inpaintzoo --help`` does not have to import torch)
STRATEGY_CHOICES = ('auto', 'whole', 'sliding', 'crop', 'resize')
#: values of ``--mask-convention``
#: (:data:`inpaintzoo.apis.mask_inputs.MASK_CONVENTIONS`)
MASK_CONVENTIONS = ('hole-white', 'known-white')
#: ``--tile`` etc. are passed to the strategy only when given; the strategy each needs
STRATEGY_OPTIONS = {'tile': 'sliding', 'overlap': 'sliding', 'context': 'crop'}


def add_inpaint_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``inpaint`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        'inpaint',
        help='inpaint images (files or folders) with a model',
        description=(
            'Inpaint the holes of each image (white = hole by default) and write '
            '<out>/<stem>.png. Inputs are never overwritten.'
        ),
    )
    add_images_argument(parser)
    parser.add_argument(
        '--model',
        required=True,
        help='zoo model name (see `inpaintzoo list`), or a config: a path ending '
        'in .py, or its name under configs/ (hint/hint-tiny_1xb4-300_demo-64x64.py)',
    )
    parser.add_argument(
        '--checkpoint',
        default=None,
        help='.pth or .safetensors weights (default: the zoo weights of --model)',
    )
    masks = parser.add_mutually_exclusive_group(required=True)
    masks.add_argument('--mask', default=None, help='one mask file for every image')
    masks.add_argument(
        '--mask-dir', default=None, help='folder of masks named like the images'
    )
    parser.add_argument(
        '--out',
        required=True,
        help='output folder (not an input folder), or an output .png file when '
        'one image is given',
    )
    parser.add_argument(
        '--strategy',
        choices=STRATEGY_CHOICES,
        default='auto',
        help='how large images are processed: auto (default) = whole up to 1 '
        'megapixel, crop (windows around the holes) above; whole = at once at full '
        'size, however large',
    )
    add_tiling_arguments(parser)
    parser.add_argument(
        '--context', type=float, default=None, help='crop: context around the hole'
    )
    parser.add_argument(
        '--mask-convention',
        choices=MASK_CONVENTIONS,
        default='hole-white',
        help='hole-white: white = hole (default); known-white: black = hole',
    )
    parser.add_argument(
        '--mask-threshold',
        type=int,
        default=None,
        help='mask values above it are holes (default 127, as inpaint(); with '
        'known-white: values below 255 minus it); 0: every non-zero value',
    )
    add_orientation_argument(parser)
    add_run_arguments(parser)
    parser.set_defaults(handler=run_inpaint)
    return parser


def load_inference_api() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``(init_model, inpaint)`` of :mod:`inpaintzoo.apis` (imports torch)."""
    from inpaintzoo.apis.inference import init_model, inpaint

    return init_model, inpaint


def _api_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of ``inpaint()`` from the parsed ``args``.

    Raises:
        InvalidMaskError: ``--mask-threshold`` outside [0, 255).
        ConfigError: a strategy option (``--tile``, ``--overlap``,
            ``--context``) without its strategy.

    Both messages name the command-line flags.
    """
    options: dict[str, Any] = {
        'mask_convention': args.mask_convention,
        'strategy': args.strategy,
        'orientation': args.orientation,
    }
    if args.mask_threshold is not None:
        from inpaintzoo.apis.mask_inputs import check_mask_threshold  # imports torch

        check_mask_threshold(args.mask_threshold, '--mask-threshold')
        options['mask_threshold'] = args.mask_threshold
    for name, needed in STRATEGY_OPTIONS.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if args.strategy != needed:
            default = ', the default' if args.strategy == 'auto' else ''
            raise ConfigError(
                f'--{name} needs --strategy {needed} (the strategy is '
                f'{args.strategy}{default})'
            )
        options[name] = value
    return options


def write_png(image: np.ndarray, path: Path, like: Path | None = None) -> None:
    """Write an (H, W, 3) uint8 RGB array as a PNG file.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        path (Path): the PNG to write.
        like (Path, optional): the input picture; its ICC colour profile, if it
            has one, is embedded so the result shows its colours.

    The folder of ``path`` is created when missing (a run that fails before its
    first result leaves no empty folder behind).
    """
    from inpaintzoo.utils.image_io import save_image

    make_parent(path)
    save_image(image, path, like, format='PNG')


def run_inpaint(args: argparse.Namespace) -> list[Path]:
    """Inpaint every input image; print each written path on stdout.

    Everything that can be checked without the model is checked first: the
    options, the files (every image and mask decoded once, then every pair's
    sizes), ``--out`` (existing results included) and ``--device``.

    Args:
        args (argparse.Namespace): parsed ``inpaint`` arguments.

    Returns:
        list[Path]: the written PNG files, in input order.
    """
    options = _api_options(args)
    images = collect_images(args.images)
    masks = pair_masks(images, args.mask, args.mask_dir)
    outputs = plan_results(args.out, images, masks, args.images, args.mask_dir)
    check_readable([*images, *masks])
    check_pair_sizes(images, masks, args.orientation)
    from inpaintzoo.apis.inference import resolve_device

    resolve_device(args.device, '--device')  # one line naming a bad --device
    init_model, inpaint = load_inference_api()
    with random_weights_as_line(' (or a zoo model name, which brings its weights)'):
        model = init_model(args.model, args.checkpoint, device=args.device)
    bar = progress_enabled(len(images), args.progress)
    if args.strategy == 'auto':
        note_large_pictures(images)
    with mask_warnings_on_stderr():
        for img, mask, out in progress(zip(images, masks, outputs), len(images), bar):
            write_png(inpaint(model, str(img), str(mask), **options), out, like=img)
            emit(str(out))
    return outputs


def mask_warnings_on_stderr() -> AbstractContextManager[None]:
    """Show each mask warning of ``inpaint()`` as one line ``warning: ...`` on stderr.

    Every image's warning is shown (the message names the image); other
    warnings keep Python's usual display.
    """
    from inpaintzoo.apis.mask_warnings import MaskWarning

    return warnings_as_lines(MaskWarning)


def note_large_pictures(images: list[Path]) -> None:
    """Say on stderr which pictures ``--strategy auto`` runs in crop windows."""
    from PIL import Image

    from inpaintzoo.apis.highres import AUTO_WHOLE_MAX_PIXELS, auto_strategy

    large = []
    for path in images:
        try:
            with open_quietly(path) as img:  # the header, no bomb warning
                width, height = img.size
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            continue  # reading it later gives the real error
        if auto_strategy(height, width) != 'whole':
            large.append(f'{path.name} ({width}x{height})')
    if large:
        shown = ', '.join(large[:3]) + (
            f' and {len(large) - 3} more' if len(large) > 3 else ''
        )
        note(
            f'note: {len(large)} picture(s) above {AUTO_WHOLE_MAX_PIXELS / 1e6:.1f} '
            f'megapixels run as crop windows around the holes (--strategy auto): '
            f'{shown}; --strategy whole runs them at full size at once (much more '
            'memory)'
        )
