"""Suggest the config a mistyped ``--model`` / ``init_model`` name meant.

A config is named by a path ending in ``.py`` (``configs/hint/x.py``) or by its
name under ``configs/`` (``hint/x.py``). Users often type the file's stem alone
(``hint-tiny_1xb4-300_demo-64x64``), drop the folder, or drop ``.py``; those are
looked up here among the configs :func:`inpaintzoo.utils.config_paths.config_roots`
holds, so the error can name the exact spelling that works.
"""

import difflib
import os
from pathlib import Path

from inpaintzoo.utils.config_paths import config_roots

#: how many near names a suggestion lists at most
MAX_SUGGESTIONS = 3


def _config_names() -> list[str]:
    """Every config under the config roots, as ``'folder/name.py'``, sorted."""
    names = {
        path.relative_to(root).as_posix()
        for root in config_roots()
        for path in root.rglob('*.py')
        if not path.name.startswith('__')
    }
    return sorted(names)


def similar_configs(name: str | os.PathLike, exact_only: bool = False) -> list[str]:
    """Configs ``name`` probably meant, as names relative to ``configs/``.

    Args:
        name: what was typed: a stem, a file name, or a path without ``.py``.
        exact_only (bool): only configs of exactly that stem, no close spellings.

    Returns:
        list[str]: the configs whose file stem equals ``name``'s (``.py`` and
        folders ignored); if there are none, up to :data:`MAX_SUGGESTIONS`
        close spellings. Empty when nothing is near.
    """
    stem = Path(os.fspath(name)).name
    stem = stem[:-3] if stem.endswith('.py') else stem
    names = _config_names()
    exact = [n for n in names if Path(n).stem == stem]
    if exact or exact_only:
        return exact
    by_stem = {Path(n).stem: n for n in names}
    close = difflib.get_close_matches(stem, list(by_stem), n=MAX_SUGGESTIONS)
    return [by_stem[s] for s in close]


def config_suggestion(name: str | os.PathLike) -> str:
    """``" did you mean the config 'hint/x.py'?"``, or ``''`` when none is near."""
    found = similar_configs(name)
    if not found:
        return ''
    shown = ' or '.join(repr(n) for n in found[:MAX_SUGGESTIONS])
    return f' Did you mean the config {shown} (a name under configs/, with .py)?'
