"""The ``inpaintzoo`` console script.

Subcommands: ``list``, ``download``, ``inpaint``, ``restore``, ``convert``, ``serve``.
See :mod:`inpaintzoo.cli.main` and ``docs/inference.md``.
"""

from inpaintzoo.cli.main import build_parser, cli_main, main

__all__ = ['build_parser', 'cli_main', 'main']
