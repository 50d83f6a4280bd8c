"""Arguments that several ``inpaintzoo`` subcommands take alike.

``inpaint`` and ``restore`` read the same inputs (files and/or folders), tile large
pictures the same way (``--strategy sliding``) and run on the same devices with the
same progress bar; these helpers add those arguments once, so their names, defaults
and help texts cannot drift apart. Each helper keeps the order of its arguments in
``--help``.
"""

import argparse

from inpaintzoo.utils.freed_memory import add_freed_memory_argument
from inpaintzoo.utils.image_io import ORIENTATIONS


def add_images_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``IMAGE_OR_DIR ...`` argument (``args.images``)."""
    parser.add_argument(
        'images',
        nargs='+',
        metavar='IMAGE_OR_DIR',
        help='image files and/or folders of images (not recursive)',
    )


#: ``dest`` of the arguments that make a command read mask files
MASK_DESTS = ('mask', 'mask_dir')


def add_orientation_argument(
    parser: argparse.ArgumentParser, files: str | None = None
) -> None:
    """Add ``--orientation {exif,stored}`` (``args.orientation``, default exif).

    Args:
        parser (argparse.ArgumentParser): the command's parser.
        files (str, optional): what the command reads, as the help names it.
            Defaults to ``'image and mask files'`` when ``parser`` already has a
            mask argument (:data:`MASK_DESTS`, added before this one), else
            ``'image files'`` (``restore``).
    """
    if files is None:
        takes_masks = any(action.dest in MASK_DESTS for action in parser._actions)
        files = 'image and mask files' if takes_masks else 'image files'
    parser.add_argument(
        '--orientation',
        choices=ORIENTATIONS[::-1],
        default='exif',
        help=f'exif (default): turn {files} by their EXIF orientation tag, as '
        'viewers and the browser app show them (the result is written that way '
        'up); stored: the pixels as stored, as datasets are read',
    )


def add_tiling_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--tile`` and ``--overlap`` (pixels) of ``--strategy sliding``."""
    parser.add_argument('--tile', type=int, default=None, help='sliding: tile side')
    parser.add_argument(
        '--overlap', type=int, default=None, help='sliding: overlap of tiles'
    )


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--device``, ``--keep-freed-memory`` and ``--progress``.

    ``--device`` defaults to auto, ``--keep-freed-memory`` to keep
    (:mod:`inpaintzoo.utils.freed_memory`), ``--progress`` to a bar when stderr
    is a terminal.
    """
    parser.add_argument(
        '--device', default=None, help='cpu, cuda, cuda:1, ... (default: auto)'
    )
    add_freed_memory_argument(parser)
    parser.add_argument(
        '--progress',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='progress bar for several images (default: when stderr is a terminal)',
    )
