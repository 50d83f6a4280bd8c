"""Arguments that several ``inpaintzoo`` subcommands take alike.

``inpaint`` and ``restore`` read the same inputs (files and/or folders), tile large
pictures the same way (``--strategy sliding``) and run on the same devices with the
same progress bar; these helpers add those arguments once, so their names, defaults
and help texts cannot drift apart. Each helper keeps the order of its arguments in
``--help``.
"""

import argparse


def add_images_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional ``IMAGE_OR_DIR ...`` argument (``args.images``)."""
    parser.add_argument(
        'images',
        nargs='+',
        metavar='IMAGE_OR_DIR',
        help='image files and/or folders of images (not recursive)',
    )


def add_tiling_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--tile`` and ``--overlap`` (pixels) of ``--strategy sliding``."""
    parser.add_argument('--tile', type=int, default=None, help='sliding: tile side')
    parser.add_argument(
        '--overlap', type=int, default=None, help='sliding: overlap of tiles'
    )


def add_device_and_progress_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--device`` (default: auto) and ``--progress/--no-progress``."""
    parser.add_argument(
        '--device', default=None, help='cpu, cuda, cuda:1, ... (default: auto)'
    )
    parser.add_argument(
        '--progress',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='progress bar for several images (default: when stderr is a terminal)',
    )
