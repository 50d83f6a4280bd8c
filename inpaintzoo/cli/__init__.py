"""The ``inpaintzoo`` console script (``inpaintzoo list | download | inpaint``).

See :mod:`inpaintzoo.cli.main` and ``docs/inference.md``.
"""

from inpaintzoo.cli.main import build_parser, cli_main, main

__all__ = ['build_parser', 'cli_main', 'main']
