"""Check every data path of a config before the runner is built.

Without this check the first missing folder surfaces deep inside
``Runner.from_cfg`` (after a few hundred lines of environment and config dump),
and fixing it only reveals the next one. :func:`check_data_paths` walks the
dataloaders' datasets (``ConcatDataset``/``RepeatDataset`` wrappers included) and
their pipelines, collects every path that must exist (image folders or flists,
mask folders or flists, landmark folders, bucket folders, mask-file transforms)
and reports all missing ones in one short message that points to
``docs/data_preparation.md``.
"""

import os
import os.path as osp
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from inpaintzoo.datasets.image_mask_dataset import PAPER_BUCKETS
from inpaintzoo.utils.errors import DataNotFoundError

#: dataset arguments that name a file or folder (joined with ``data_root``)
DATASET_PATH_KEYS: tuple[str, ...] = (
    'img_source',
    'mask_source',
    'landmark_source',
    'ann_file',
)
#: transform arguments that name a file or folder (relative to the working dir)
TRANSFORM_PATH_KEYS: tuple[str, ...] = ('mask_source',)
DOCS_HINT = 'docs/data_preparation.md'
#: dataloaders each tool builds
TRAIN_LOADERS: tuple[str, ...] = ('train_dataloader', 'val_dataloader')
TEST_LOADERS: tuple[str, ...] = ('test_dataloader',)


@dataclass
class RequiredPath:
    """A path the config needs, with the config keys that name it."""

    path: str
    keys: list[str] = field(default_factory=list)


def _join(data_root: str, path: str) -> str:
    """Join like MMEngine's ``BaseDataset``: ``data_root`` only for relative paths."""
    return path if not data_root or osp.isabs(path) else osp.join(data_root, path)


def _dataset_paths(ds: Mapping, key: str) -> Iterable[tuple[str, str]]:
    """``(path, config key)`` pairs of one dataset config, wrappers recursed."""
    if isinstance(ds.get('datasets'), list | tuple):
        for i, child in enumerate(ds['datasets']):
            if isinstance(child, Mapping):
                yield from _dataset_paths(child, f'{key}.datasets.{i}')
        return
    if isinstance(ds.get('dataset'), Mapping):
        yield from _dataset_paths(ds['dataset'], f'{key}.dataset')
        return
    data_root = str(ds.get('data_root') or '')
    for name in DATASET_PATH_KEYS:
        value = ds.get(name)
        if isinstance(value, str) and value:
            yield _join(data_root, value), f'{key}.{name}'
    if ds.get('mask_mode') == 'paired_per_bucket' and ds.get('mask_source'):
        root = _join(data_root, str(ds['mask_source']))
        if osp.isdir(root):  # else the root itself is reported
            for label in ds.get('buckets') or PAPER_BUCKETS:
                yield osp.join(root, label), f'{key}.buckets ({label})'
    for i, step in enumerate(ds.get('pipeline') or []):
        if not isinstance(step, Mapping):
            continue
        for name in TRANSFORM_PATH_KEYS:
            value = step.get(name)
            if isinstance(value, str) and value:
                yield value, f'{key}.pipeline.{i}.{name} ({step.get("type")})'


def required_data_paths(
    cfg: Mapping, loaders: Iterable[str] = TRAIN_LOADERS + TEST_LOADERS
) -> list[RequiredPath]:
    """Every data path that the named dataloaders of ``cfg`` need.

    Args:
        cfg: a loaded config.
        loaders: dataloader keys to walk; absent or None ones are skipped.

    Returns:
        list[RequiredPath]: one entry per distinct path, in config order, with
        every config key that names it.
    """
    found: dict[str, RequiredPath] = {}
    for name in loaders:
        loader = cfg.get(name)
        if not isinstance(loader, Mapping) or not isinstance(
            loader.get('dataset'), Mapping
        ):
            continue
        for path, key in _dataset_paths(loader['dataset'], f'{name}.dataset'):
            found.setdefault(osp.normpath(path), RequiredPath(path)).keys.append(key)
    return list(found.values())


def missing_data_paths(
    cfg: Mapping, loaders: Iterable[str] = TRAIN_LOADERS + TEST_LOADERS
) -> list[RequiredPath]:
    """The entries of :func:`required_data_paths` that do not exist."""
    return [p for p in required_data_paths(cfg, loaders) if not osp.exists(p.path)]


def format_missing(
    missing: list[RequiredPath], config: str | None = None, max_keys: int = 1
) -> str:
    """The multi-line report of missing paths (see :func:`check_data_paths`)."""
    source = f'config {config}' if config else 'the config'
    width = max(len(p.path) for p in missing)
    lines = [
        f'{len(missing)} data path(s) of {source} do not exist '
        f'(relative paths are taken from {os.getcwd()}):'
    ]
    for p in missing:
        keys = ', '.join(p.keys[:max_keys])
        more = f' +{len(p.keys) - max_keys} more' if len(p.keys) > max_keys else ''
        lines.append(f'  {p.path:<{width}}  <- {keys}{more}')
    lines.append(
        f'See {DOCS_HINT} for where to get each data set and the layout the '
        'configs expect (or how to train on a folder of your own pictures).'
    )
    return '\n'.join(lines)


def check_data_paths(
    cfg: Mapping,
    loaders: Iterable[str] = TRAIN_LOADERS + TEST_LOADERS,
    config: str | None = None,
) -> None:
    """Raise one error that lists every missing data path of ``cfg``.

    Args:
        cfg: a loaded config.
        loaders: dataloader keys to check, e.g. :data:`TRAIN_LOADERS` for
            training (validation runs during training) or :data:`TEST_LOADERS`.
        config (str, optional): config file name shown in the message.

    Raises:
        DataNotFoundError: one line per missing path with the config key that
            names it, and a pointer to ``docs/data_preparation.md``.
    """
    missing = missing_data_paths(cfg, loaders)
    if missing:
        raise DataNotFoundError(format_missing(missing, config))


def loaders_used_by_training(cfg: Mapping) -> tuple[str, ...]:
    """The dataloaders ``Runner.train`` builds: train, and val if validating."""
    validates = cfg.get('val_cfg') is not None and cfg.get('val_dataloader')
    return TRAIN_LOADERS if validates else TRAIN_LOADERS[:1]
