"""Read the model zoo: ``model_zoo/model-index.yml`` and the metafiles it imports.

The index is the repository's (source checkout or editable install), else the
packaged copy in ``inpaintzoo/.mim`` (a wheel); ``Import`` paths are relative to
the folder holding ``model_zoo/``. ``$INPAINTZOO_MODEL_INDEX`` may name further
index files (``os.pathsep``-separated), e.g. a private zoo; their ``Import``
paths are relative to the index file's parent's parent when they start with
``model_zoo/``, else to the index file's folder.
"""

import difflib
import os
from pathlib import Path

import yaml

from inpaintzoo.hub.zoo_model import WeightSource, ZooModel
from inpaintzoo.utils.config_paths import PACKAGE_DIR, mim_dir
from inpaintzoo.utils.errors import ConfigError

#: environment variable naming extra model-index files
EXTRA_INDEX_ENV = 'INPAINTZOO_MODEL_INDEX'


def packaged_index(package_dir: Path | None = None) -> Path | None:
    """The model index of the checkout (``<repo>/model_zoo``) or wheel (``.mim``)."""
    pkg = Path(package_dir or PACKAGE_DIR)
    for root in (pkg.parent, mim_dir(pkg)):
        index = root / 'model_zoo' / 'model-index.yml'
        if index.is_file() and (root != pkg.parent or (root / 'setup.py').is_file()):
            return index
    return None


def index_files() -> list[Path]:
    """The packaged index followed by the ones named in ``$INPAINTZOO_MODEL_INDEX``."""
    files = [p for p in [packaged_index()] if p is not None]
    extra = os.environ.get(EXTRA_INDEX_ENV, '')
    for item in filter(None, extra.split(os.pathsep)):
        path = Path(item).expanduser()
        if not path.is_file():
            raise ConfigError(
                f'{EXTRA_INDEX_ENV} names {item!r}, which is not a file; set it to '
                'model-index.yml files separated by ' + repr(os.pathsep)
            )
        files.append(path)
    return files


def _load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f'cannot read model-zoo file {path}: {err}') from err
    if not isinstance(data, dict):
        raise ConfigError(f'model-zoo file {path} must hold a mapping at the top')
    return data


def _import_base(index: Path, rel: str) -> Path:
    if Path(rel).parts[:1] == ('model_zoo',) and index.parent.name == 'model_zoo':
        return index.parent.parent
    return index.parent


def _bucket_results(items: list, where: str) -> dict:
    results: dict = {}
    for item in items or []:
        if not isinstance(item, dict) or not isinstance(item.get('Metrics'), dict):
            raise ConfigError(f'{where}: each Results item needs a Metrics mapping')
        bucket = str(item.get('Mask Ratio', 'all'))
        results.setdefault(bucket, {}).update(item['Metrics'])
    return results


def parse_metafile(path: Path, root: Path | None = None) -> list[ZooModel]:
    """The :class:`ZooModel` entries of one metafile.

    ``root``: for a private index, the folder its ``Import`` paths start from;
    a ``Config`` that is not one of inpaintzoo's is looked up there.

    Raises:
        ConfigError: a model lacks ``Alias``, ``Config`` or ``Metadata.Architecture``.
    """
    meta = _load_yaml(path)
    collections = {c.get('Name'): c for c in meta.get('Collections') or []}
    models = []
    for entry in meta.get('Models') or []:
        where = f'{path}: {entry.get("Name")!r}'
        metadata = entry.get('Metadata') or {}
        missing = [
            k
            for k, v in (
                ('Alias', entry.get('Alias')),
                ('Config', entry.get('Config')),
                ('Metadata.Architecture', metadata.get('Architecture')),
            )
            if not v
        ]
        if missing:
            raise ConfigError(f'{where} lacks {missing}')
        first = (entry.get('Results') or [{}])[0]
        collection = entry.get('In Collection', '')
        task = (collections.get(collection) or {}).get('Task') or ['inpainting']
        models.append(
            ZooModel(
                name=str(entry['Alias']),
                arch=str(metadata['Architecture']),
                task=str(task[0] if isinstance(task, list) else task),
                config=str(entry['Config']),
                dataset=str(metadata.get('Training Data', first.get('Dataset', ''))),
                params=metadata.get('Parameters'),
                results=_bucket_results(entry.get('Results'), where),
                weights=[
                    WeightSource.from_metafile(w, where)
                    for w in entry.get('Weights') or []
                ],
                metafile_name=str(entry.get('Name', '')),
                collection=str(collection),
                results_source=str(entry.get('Results Source', '')),
                metafile=str(path),
                root='' if root is None else str(root),
            )
        )
    return models


def load_models() -> list[ZooModel]:
    """Every model of every index file, in index order.

    Raises:
        ConfigError: an unreadable file, or two models with the same name.
    """
    models: list[ZooModel] = []
    seen: dict[str, str] = {}
    packaged = packaged_index()
    for index in index_files():
        for rel in _load_yaml(index).get('Import') or []:
            base = _import_base(index, rel)
            metafile = base / rel
            if not metafile.is_file():
                raise ConfigError(
                    f'{index} imports {rel!r}, but {metafile} does not exist'
                )
            private = None if index == packaged else base
            for model in parse_metafile(metafile, private):
                for key in {model.name, model.metafile_name} - {''}:
                    if key in seen:
                        raise ConfigError(
                            f'zoo name {key!r} is defined twice: in {seen[key]} and '
                            f'{metafile}; rename one of them'
                        )
                    seen[key] = str(metafile)
                models.append(model)
    return models


def list_models() -> list[ZooModel]:
    """All zoo models (``hint_celeba-hq``, ``mxt_places2``, ...), in index order."""
    return load_models()


def get_model_info(name: str) -> ZooModel:
    """The zoo model called ``name`` (zoo name, or metafile ``Name`` = config stem).

    Raises:
        ConfigError: no such model; the message lists close names and all names.
    """
    models = load_models()
    for model in models:
        if name in (model.name, model.metafile_name):
            return model
    from inpaintzoo.apis.config_suggestions import unlisted_zoo_model

    unlisted = unlisted_zoo_model(name)
    if unlisted is not None:
        raise ConfigError(
            f'zoo model {name!r} has no published weights, so there is nothing to '
            f'download: train {unlisted.config}, then use its checkpoint '
            f'(inpaintzoo restore --config {name} --checkpoint FILE)'
        )
    names = [m.name for m in models]
    close = difflib.get_close_matches(
        str(name), names + [m.metafile_name for m in models], n=3, cutoff=0.5
    )
    hint = f'did you mean {", ".join(map(repr, close))}? ' if close else ''
    from inpaintzoo.apis.config_suggestions import unlisted_zoo_suggestion

    raise ConfigError(
        f'unknown zoo model {name!r}: {hint}known models: '
        f'{", ".join(names) or "(none)"} '
        '(`inpaintzoo list` or inpaintzoo.hub.list_models() shows them with their data)'
        # near names of models without published weights (the deblurring aliases)
        + unlisted_zoo_suggestion(name)
    )
