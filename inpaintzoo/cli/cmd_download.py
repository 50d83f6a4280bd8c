"""``inpaintzoo download NAME``: fetch and convert a zoo model's weights."""

import argparse
from typing import Any


def add_download_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``download`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        'download',
        help="download a zoo model's weights into the cache",
        description=(
            'Download (or find in the cache) the weights of a zoo model and '
            'convert them to a .safetensors generator checkpoint; prints its path. '
            'The cache is $INPAINTZOO_HOME (default ~/.cache/inpaintzoo).'
        ),
    )
    parser.add_argument('name', help='zoo model name (see `inpaintzoo list`)')
    parser.add_argument(
        '--offline',
        action='store_true',
        help='do not use the network; only the cache and files put there by hand',
    )
    parser.set_defaults(handler=run_download)
    return parser


def run_download(args: argparse.Namespace) -> int:
    """Download the weights of ``args.name``; print the checkpoint path last."""
    from inpaintzoo.hub import download

    path = download(args.name, offline=True if args.offline else None)
    print(path)
    return 0
