r"""``inpaintzoo restore``: restore (deblur) pictures with a restorer model.

A separate command rather than ``inpaint`` without ``--mask``: a restorer takes
no mask and changes every pixel, so the options differ (no mask, no ``crop`` /
``resize`` strategies) and a forgotten ``--mask`` cannot silently switch tasks.

    inpaintzoo restore blurred.png --config CONFIG --checkpoint K --out out/
    inpaintzoo restore blurred.png --config CONFIG --checkpoint K --out sharp.png
    inpaintzoo restore frames/ --config CONFIG --checkpoint K --out out/ \\
        --strategy sliding --tile 512 --overlap 64
"""

import argparse
from pathlib import Path
from typing import Any

from inpaintzoo.cli.input_files import check_readable, collect_images
from inpaintzoo.cli.output_files import CLASH_SUFFIXES, plan_results
from inpaintzoo.cli.progress import emit, progress, progress_enabled
from inpaintzoo.cli.shared_args import (
    add_images_argument,
    add_orientation_argument,
    add_run_arguments,
    add_tiling_arguments,
)
from inpaintzoo.cli.warning_lines import random_weights_as_line
from inpaintzoo.utils.errors import ConfigError

#: values of ``--strategy`` (:data:`inpaintzoo.apis.restoration.RESTORE_STRATEGIES`)
RESTORE_STRATEGY_CHOICES = ('auto', 'whole', 'sliding')


def add_restore_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``restore`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        'restore',
        help='restore (deblur) images with a restorer model, no mask',
        description=(
            'Restore every image with a restorer (e.g. the SEM-Net deblurrer) and '
            'write <out>/<stem>.png, or the --out file for a single image ending '
            'in .png (other image suffixes are refused). Inputs are never '
            'overwritten: a result name that is an input file (e.g. photo.png '
            'restored into its own folder) or that two inputs share (photo.png '
            'and photo.jpg: photo.png keeps it) becomes <stem>_restored.png, then '
            "<stem>_restored2.png, ... (never another input's own result name). "
            'An existing result file is overwritten.'
        ),
    )
    add_images_argument(parser)
    parser.add_argument(
        '--config',
        '--model',
        dest='model',
        required=True,
        help='restorer config file, e.g. configs/sem_net_deblur/..., or a '
        'deblurring model name of model_zoo/sem_net_deblur/metafile.yml '
        '(sem-net-deblur_gopro: its config; no weights are published, so pass '
        '--checkpoint). The downloadable zoo models inpaint: `inpaintzoo inpaint`',
    )
    parser.add_argument(
        '--checkpoint', default=None, help='.pth or .safetensors weights'
    )
    parser.add_argument(
        '--out',
        required=True,
        help='output folder (results <stem>.png; <stem>_restored.png when that '
        'name is an input or taken), or an output .png file when one image is given',
    )
    parser.add_argument(
        '--strategy',
        choices=RESTORE_STRATEGY_CHOICES,
        default='auto',
        help='auto (default): whole up to 1 megapixel, sliding above; whole: the '
        'image at once, however large; sliding: overlapping tiles',
    )
    add_tiling_arguments(parser)
    add_orientation_argument(parser)
    add_run_arguments(parser)
    parser.set_defaults(handler=run_restore)
    return parser


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {
        'strategy': args.strategy,
        'orientation': args.orientation,
    }
    for name in ('tile', 'overlap'):
        value = getattr(args, name)
        if value is not None:
            if args.strategy != 'sliding':
                raise ConfigError(f'--{name} needs --strategy sliding')
            options[name] = value
    return options


def run_restore(args: argparse.Namespace) -> list[Path]:
    """Restore every input image; print each written path on stdout.

    The files (every image header), ``--out`` (a folder, or one .png file),
    ``--device`` and the config's model type are checked before the model is
    built or any weights are fetched.

    Returns:
        list[Path]: the written PNG files, in input order.
    """
    from inpaintzoo.apis.inference import init_model, resolve_device
    from inpaintzoo.apis.restoration import (
        check_restorer,
        check_restorer_config,
        restore,
    )
    from inpaintzoo.cli.cmd_inpaint import write_png

    images = collect_images(args.images)
    options = _options(args)
    outputs = plan_results(
        args.out, images, [], args.images, clash_suffix=CLASH_SUFFIXES['restore']
    )
    check_readable(images)
    resolve_device(args.device, '--device')  # one line naming a bad --device
    # the model type before any weights are fetched (a zoo name would download)
    check_restorer_config(args.model)
    with random_weights_as_line():
        model = init_model(args.model, args.checkpoint, device=args.device)
    check_restorer(model)
    bar = progress_enabled(len(images), args.progress)
    for img, out in progress(zip(images, outputs, strict=True), len(images), bar):
        write_png(restore(model, str(img), **options), out, like=img)
        emit(str(out))
    return outputs
