"""Shared command-line helpers: one-line errors, ``--debug``, ``--cfg-options``.

Every script in ``tools/`` ends with ``run_cli(main)``. A user-input error (a
missing file, a bad config value, a checkpoint of another model, ...) then prints
one line ``error: <message>`` on stderr and exits with status 2, instead of a
traceback. ``--debug`` on the command line (or ``INPAINTZOO_DEBUG=1`` in the
environment) shows the traceback too. Anything else (a bug) is not caught and
keeps its full traceback.
"""

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import mmengine
from mmengine.config.utils import ConfigParsingError

from inpaintzoo.apis.cfg_options import add_cfg_options_argument
from inpaintzoo.apis.config_errors import config_load_error
from inpaintzoo.apis.registry_errors import registry_miss_message
from inpaintzoo.utils.errors import InpaintzooError

DEBUG_ENV = 'INPAINTZOO_DEBUG'
#: MMEngine's package folder (where the registry and the runner call classes)
MMENGINE_DIR = Path(mmengine.__file__).resolve().parent
#: exit status of a run that stopped on a user-input error (as argparse)
USER_ERROR_EXIT = 2
#: built-in exception types that mean "the input is wrong", not "the code is"
USER_ERROR_TYPES: tuple[type[BaseException], ...] = (
    InpaintzooError,
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
    ConfigParsingError,
)

__all__ = [
    'DEBUG_ENV',
    'add_cfg_options_argument',
    'add_debug_argument',
    'debug_enabled',
    'error_message',
    'is_user_error',
    'run_cli',
]


def add_debug_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--debug`` (show the traceback of an error) to ``parser``."""
    parser.add_argument(
        '--debug',
        action='store_true',
        help=f'show the full traceback of an error (or set {DEBUG_ENV}=1)',
    )


def debug_enabled(argv: list[str] | None = None) -> bool:
    """Whether ``--debug`` is in ``argv`` (default ``sys.argv``) or the env is set."""
    args = sys.argv[1:] if argv is None else argv
    env = os.environ.get(DEBUG_ENV, '').strip().lower()
    return '--debug' in args or env not in ('', '0', 'false', 'no')


def is_user_error(exc: BaseException) -> bool:
    """Whether ``exc`` reports bad user input rather than a bug.

    True for :class:`InpaintzooError`, missing/unreadable files, MMEngine config
    parsing errors, mistakes in a config file (syntax, bases setting the same
    key, an error in its code: :func:`config_load_error`) and unknown registry
    types (a misspelt ``type=`` in a config).
    """
    if isinstance(exc, USER_ERROR_TYPES) or config_call_error(exc):
        return True
    if config_load_error(exc) is not None:
        return True
    text = str(exc.args[0]) if exc.args else ''
    if isinstance(exc, SyntaxError):
        return text.startswith('There are syntax errors in config file')
    if isinstance(exc, KeyError):
        return ' registry' in text and ' is not in the ' in text
    return False


#: what Python says when a call's arguments do not fit the callee's signature
SIGNATURE_ERROR_TEXTS = (
    'got an unexpected keyword argument',
    'required positional argument',
    'required keyword-only argument',
    'got multiple values for argument',
)


def config_call_error(exc: BaseException) -> bool:
    """Whether ``exc`` is MMEngine calling a class with keywords it does not take.

    A ``TypeError`` about the signature, raised in MMEngine's own frame (the
    registry's or the runner's call with a config section's keys), is a
    misspelt, surplus or missing config key, e.g. ``model.generator.dimm=8``.
    So is one raised below that frame in a ``super().__init__(**kwargs)`` chain:
    every frame after MMEngine's last one is an ``__init__`` of one and the same
    object, and the message names a class of that object's MRO (a subclass that
    forwards its keywords, or ``nn.Module.__init__`` of a class without its own
    ``__init__``). The same error elsewhere, inside the called code, is a bug and
    keeps its traceback.
    """
    if not isinstance(exc, TypeError) or not any(
        text in str(exc) for text in SIGNATURE_ERROR_TEXTS
    ):
        return False
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    inside = [_in_mmengine(f) for f in frames]
    if not any(inside):
        return False
    below = frames[len(inside) - inside[::-1].index(True) :]
    return not below or _init_chain_error(below, str(exc))


def _in_mmengine(frame: FrameType) -> bool:
    return Path(frame.f_code.co_filename).resolve().is_relative_to(MMENGINE_DIR)


def _init_chain_error(frames: list[FrameType], message: str) -> bool:
    """Whether ``frames`` are ``__init__`` calls of one object up its MRO."""
    if any(f.f_code.co_name != '__init__' for f in frames):
        return False
    owners = {id(f.f_locals.get('self')) for f in frames}
    obj = frames[0].f_locals.get('self')
    if obj is None or len(owners) != 1:
        return False
    callee = message.split('(', 1)[0].strip()
    names = {f'{c.__name__}.__init__' for c in type(obj).__mro__}
    return callee in names or callee == '__init__'


def error_message(exc: BaseException) -> str:
    """The message shown for ``exc``: its text without the class name.

    A ``KeyError`` keeps its text unquoted; a registry miss loses MMEngine's
    trailing link and names its cause (a misspelt ``type=`` with the closest
    registered names, or a ``default_scope`` whose registry cannot see
    inpaintzoo's classes: :func:`registry_miss_message`); an empty message falls
    back to the class name.
    """
    load_error = config_load_error(exc)
    if load_error is not None:
        return str(load_error)
    if config_call_error(exc):
        return (
            f'{exc} (built from the config: a key that is misspelt, or that this '
            'class does not take or needs; check the config and --cfg-options)'
        )
    if isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
        message = registry_miss_message(text)
        if message is not None:
            return message
        text = text.split(' Please check whether the value of', 1)[0]
        return text.replace('::', ' ') + ' (misspelt type= in the config?)'
    return str(exc).strip() or type(exc).__name__


def run_cli(main: Callable[[], int | None], argv: list[str] | None = None) -> None:
    """Run a tool's ``main()`` and exit with its status.

    A user-input error (see :func:`is_user_error`) prints ``error: <message>`` on
    stderr and exits with status 2; with ``--debug`` (or ``INPAINTZOO_DEBUG=1``)
    the traceback is printed first. Ctrl-C exits with status 130 and one line.
    Other exceptions propagate with their traceback.

    Args:
        main: the tool's entry point; its int return value is the exit status
            (None means 0).
        argv: the argument list checked for ``--debug``. Defaults to
            ``sys.argv[1:]``.
    """
    try:
        status = main()
    except KeyboardInterrupt:
        print('error: interrupted', file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if not is_user_error(exc):
            raise
        if debug_enabled(argv):
            traceback.print_exc()
        print(f'error: {error_message(exc)}', file=sys.stderr)
        sys.exit(USER_ERROR_EXIT)
    sys.exit(int(status or 0))
