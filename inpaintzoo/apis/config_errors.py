"""Mistakes in a config file as one :class:`ConfigError` naming the file and line.

MMEngine 0.10.7 reports them with a traceback, often without the file: a syntax
error comes from ``ast.parse`` of the file's text (``<unknown>``, before MMEngine's
own "There are syntax errors in config file" wrapper), bases that set the same
key raise a bare ``KeyError``, and an error in the config's own code (an
undefined name) is a plain Python exception, and a module of ``custom_imports``
that cannot be imported is an ``ImportError`` listing all of ``sys.path``. The
file is in the traceback: the ``filename`` argument of MMEngine's ``Config``
frame that raised, or the frame of the config's code itself.
"""

import ast
import os
from pathlib import Path
from types import TracebackType

import mmengine.config
from mmengine.config import Config

from inpaintzoo.utils.errors import ConfigError

#: ``Config`` methods whose ``filename`` argument is the file being read
_READING_FRAMES = ('_file2dict', '_is_lazy_import', '_validate_py_syntax')
#: MMEngine's config package folder
_CONFIG_DIR = Path(mmengine.config.__file__).resolve().parent
DUPLICATE_TEXT = 'Duplicate key is not allowed among bases'
#: start of MMEngine's message when a ``custom_imports`` module fails to import
CUSTOM_IMPORTS_TEXT = 'Failed to import custom modules from'


def _frames(exc: BaseException) -> list[TracebackType]:
    tb, frames = exc.__traceback__, []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    return frames


def _reading_file(frames: list[TracebackType]) -> str | None:
    """The file of the innermost MMEngine ``Config`` frame reading one, if any."""
    found = None
    for tb in frames:
        code = tb.tb_frame.f_code
        if code.co_name in _READING_FRAMES and Path(
            code.co_filename
        ).resolve().is_relative_to(_CONFIG_DIR):
            name = tb.tb_frame.f_locals.get('filename')
            found = os.path.normpath(name) if isinstance(name, str) else found
    return found


def _config_code_line(frames: list[TracebackType]) -> tuple[str, int] | None:
    """(file, line) of the innermost config-file code run by ``Config._file2dict``."""
    found, reading = None, False
    for tb in frames:
        code = tb.tb_frame.f_code
        reading = reading or code.co_name == '_file2dict'
        if reading and code.co_name == '<module>' and code.co_filename.endswith('.py'):
            found = (code.co_filename, tb.tb_lineno)
    return found


def _base_line(path: str) -> int | None:
    """Line of the ``_base_ = ...`` assignment in ``path`` (None if not found)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding='utf-8'))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets
        ):
            return node.lineno
    return None


def _key_list(text: str) -> str:
    """``"{'b', 'a'}"`` (MMEngine's set of keys) as ``"a, b"``."""
    try:
        return ', '.join(sorted(str(k) for k in ast.literal_eval(text)))
    except (ValueError, SyntaxError, TypeError):
        return text


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (cause or context)."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def _innermost_module_line(exc: BaseException) -> str:
    """``' (file, line N)'`` of the innermost frame that raised ``exc``, or ''."""
    tb = exc.__traceback__
    if tb is None:
        return ''
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f' ({tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno})'


def custom_imports_error(exc: BaseException) -> ConfigError | None:
    """One line for a ``custom_imports`` module that cannot be imported.

    A module that is not found names itself and the ``PYTHONPATH`` fix; a module
    that is found but fails to import (a missing dependency, an ``ImportError``
    in its code) names the module, the error and where it was raised.

    Returns:
        ConfigError | None: the error to show, or None when ``exc`` is not
        MMEngine's ``custom_imports`` failure.
    """
    chain = _chain(exc)
    if not any(
        isinstance(e, ImportError) and str(e).startswith(CUSTOM_IMPORTS_TEXT)
        for e in chain
    ):
        return None
    wanted = [
        str(e)[len('Failed to import ') :]
        for e in chain
        if type(e) is ImportError
        and str(e).startswith('Failed to import ')
        and not str(e).startswith(CUSTOM_IMPORTS_TEXT)
    ]
    module = wanted[0] if wanted else '?'
    root = chain[-1]
    missing = getattr(root, 'name', None) if isinstance(root, ImportError) else None
    if (
        isinstance(root, ModuleNotFoundError)
        and missing
        and (module == missing or module.startswith(missing + '.'))
    ):
        return ConfigError(
            f'custom_imports: no module named {missing!r} (is its folder on '
            'PYTHONPATH? or is the name misspelt?)'
        )
    return ConfigError(
        f'custom_imports: importing {module!r} failed: {type(root).__name__}: '
        f'{root}{_innermost_module_line(root)}'
    )


def config_load_error(exc: BaseException) -> ConfigError | None:
    """A one-line :class:`ConfigError` for ``exc`` raised while reading a config.

    Recognised: a ``SyntaxError`` in a config or one of its bases, bases that set
    the same key (names the file with that ``_base_`` list and its line), an
    exception raised by a config file's own code (names the file and line), and
    a ``custom_imports`` module that cannot be imported
    (:func:`custom_imports_error`).

    Returns:
        ConfigError | None: the error to show, or None when ``exc`` is none of these.
    """
    imports = custom_imports_error(exc)
    if imports is not None:
        return imports
    frames = _frames(exc)
    reading = _reading_file(frames)
    if isinstance(exc, SyntaxError) and exc.lineno is not None and reading:
        return ConfigError(
            f'config {reading}, line {exc.lineno}: syntax error: {exc.msg}'
        )
    text = str(exc.args[0]) if exc.args else ''
    if isinstance(exc, KeyError) and text.startswith(DUPLICATE_TEXT) and reading:
        keys = _key_list(text.split('Duplicate keys:', 1)[-1].strip())
        line = _base_line(reading)
        where = f'config {reading}' + (f', line {line}' if line else '')
        return ConfigError(
            f'{where}: the files of its _base_ list set the same keys ({keys}); '
            'a key may come from one base only: drop a base, or set the key in '
            'the config itself (see docs/ablations.md, "Ablation roots")'
        )
    code_line = _config_code_line(frames)
    if code_line is not None and not isinstance(exc, ConfigError):
        file, line = code_line
        return ConfigError(f'config {file}, line {line}: {type(exc).__name__}: {exc}')
    return None


def read_config(path: str) -> Config:
    """``Config.fromfile(path)``, with mistakes in the file as one line.

    Raises:
        ConfigError: see :func:`config_load_error`; anything else is re-raised.
    """
    try:
        return Config.fromfile(path)
    except Exception as exc:
        error = config_load_error(exc)
        if error is None:
            raise
        raise error from exc
