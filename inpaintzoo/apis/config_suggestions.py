"""Suggest the config a mistyped ``--model`` / ``init_model`` name meant.

A config is named by a path ending in ``.py`` (``configs/hint/x.py``) or by its
name under ``configs/`` (``hint/x.py``). Users often type the file's stem alone
(``hint-tiny_1xb4-300_demo-64x64``), drop the folder, or drop ``.py``; those are
looked up here among the configs :func:`inpaintzoo.utils.config_paths.config_roots`
holds, so the error can name the exact spelling that works.

Zoo names of models without published weights are found here too: a metafile
under ``model_zoo/`` that ``model-index.yml`` does not import (the deblurring
one, ``model_zoo/sem_net_deblur/metafile.yml``) still gives its models an
``Alias`` (``sem-net-deblur_gopro``) and a ``Config``;
:func:`unlisted_zoo_model` maps those names to their entries.
"""

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from inpaintzoo.utils.config_paths import config_roots

if TYPE_CHECKING:
    from inpaintzoo.hub.zoo_model import ZooModel

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


def unlisted_metafiles() -> list[Path]:
    """Metafiles under the packaged ``model_zoo/`` that its index does not import.

    Returns:
        list[Path]: ``model_zoo/<algo>/metafile.yml`` files left out of
        ``model_zoo/model-index.yml`` (models without downloadable weights),
        sorted; empty without a packaged index.
    """
    from inpaintzoo.hub.model_index import packaged_index

    index = packaged_index()
    if index is None:
        return []
    zoo = index.parent
    data = yaml.safe_load(index.read_text(encoding='utf-8')) or {}
    imported = {(zoo.parent / rel).resolve() for rel in data.get('Import') or []}
    metafiles = sorted(zoo.glob('*/metafile.yml'))
    return [p for p in metafiles if p.resolve() not in imported]


def unlisted_zoo_model(name: str | os.PathLike) -> 'ZooModel | None':
    """The entry of an unlisted metafile whose ``Alias`` or ``Name`` is ``name``.

    These models (the SEM-Net deblurrer) publish no weights, so
    ``inpaintzoo list`` and :func:`inpaintzoo.hub.get_model_info` leave them
    out; their names still stand for their configs.

    Args:
        name: what was typed as a model name (``'sem-net-deblur_gopro'``).

    Returns:
        ZooModel | None: the entry (its ``config_path()`` is the config), or
        None when no unlisted metafile names it.
    """
    wanted = os.fspath(name)
    for model in _unlisted_models():
        if wanted in (model.name, model.metafile_name):
            return model
    return None


def _unlisted_models() -> list['ZooModel']:
    from inpaintzoo.hub.model_index import parse_metafile

    return [model for path in unlisted_metafiles() for model in parse_metafile(path)]


def unlisted_zoo_suggestion(name: str | os.PathLike) -> str:
    """``" Did you mean 'sem-net-deblur_gopro' ..."`` for a near unlisted name.

    Args:
        name: a name that is neither a config nor a listed zoo model.

    Returns:
        str: the close ``Alias`` names of unlisted metafiles (models without
        published weights) with their configs, or ``''`` when none is near.
    """
    models = {m.name: m for m in _unlisted_models()}
    close = difflib.get_close_matches(
        Path(os.fspath(name)).name, list(models), n=MAX_SUGGESTIONS
    )
    if not close:
        return ''
    shown = ' or '.join(f'{c!r} (config {models[c].config})' for c in close)
    return f' Did you mean {shown}, a model without published weights?'
