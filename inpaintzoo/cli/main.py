"""The ``inpaintzoo`` console script.

Subcommands: ``list``, ``download``, ``inpaint``, ``restore``, ``serve`` and
``convert`` (official checkpoints).

Declared in ``setup.py`` as ``inpaintzoo = inpaintzoo.cli.main:main``. A
user-input error prints one line ``error: <message>`` and exits with status 2
(``--debug`` or ``INPAINTZOO_DEBUG=1`` shows the traceback), as the ``tools/``
scripts do through :func:`inpaintzoo.apis.cli.run_cli`.

In-process callers (the README demo, tests) use :func:`cli_main`, which runs the
same code without exiting.
"""

import argparse
from collections.abc import Sequence

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.cli.cmd_convert import add_convert_parser
from inpaintzoo.cli.cmd_download import add_download_parser
from inpaintzoo.cli.cmd_inpaint import add_inpaint_parser
from inpaintzoo.cli.cmd_list import add_list_parser
from inpaintzoo.cli.cmd_restore import add_restore_parser
from inpaintzoo.cli.cmd_serve import add_serve_parser
from inpaintzoo.utils.freed_memory import apply_freed_memory_argument
from inpaintzoo.version import __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog='inpaintzoo',
        description='Image inpainting with the inpaintzoo model zoo.',
    )
    parser.add_argument('--version', action='version', version=__version__)
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    subparsers.required = True
    for add in (
        add_list_parser,
        add_download_parser,
        add_inpaint_parser,
        add_restore_parser,
        add_serve_parser,
        add_convert_parser,
    ):
        add_debug_argument(add(subparsers))
    return parser


def cli_main(argv: Sequence[str] | None = None, program: bool = False) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and run the subcommand.

    Exceptions propagate (see :func:`main` for the one-line error handling).

    Args:
        argv (Sequence[str], optional): the arguments after ``inpaintzoo``.
        program (bool): this is the ``inpaintzoo`` program itself (:func:`main`),
            so process-wide settings are its to make: the commands that run a
            model keep freed memory for reuse unless ``--no-keep-freed-memory``
            (:mod:`inpaintzoo.utils.freed_memory`). In-process callers leave the
            process as it is.

    Returns:
        int: exit status, 0 on success.
    """
    args = build_parser().parse_args(None if argv is None else list(argv))
    if program:
        apply_freed_memory_argument(args)
    status = args.handler(args)
    return status if isinstance(status, int) else 0


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: :func:`cli_main` with one-line errors; exits."""
    run_cli(lambda: cli_main(argv, program=True), None if argv is None else list(argv))


if __name__ == '__main__':
    main()
