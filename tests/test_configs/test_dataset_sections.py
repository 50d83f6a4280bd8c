"""The dataset configs share their loader settings through one ``_base_`` file.

``configs/_base_/datasets/image_mask_loaders.py`` holds the samplers, collate
function, batch sizes and dataset type that ``nvidia_masks_256x256.py``,
``own_folder.py`` and ``demo.py`` used to spell out each. ``dataset_sections.json``
is the data part of every dataset config as merged *before* that sharing
(``Config.fromfile(...).to_dict()``); the merged configs must still equal it. Pipelines
are left out of the record: the shared base holds none (lists are replaced whole
when merged), so the sharing cannot change them.
"""

import json
import re
from pathlib import Path

import pytest
from mmengine.config import Config

from tests.test_configs.config_diff import bases, flat, own_assignments

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO / 'configs' / '_base_' / 'datasets'
RECORD = json.loads(Path(__file__).with_name('dataset_sections.json').read_text())
LEAVES = sorted(
    p
    for p in (REPO / 'configs').glob('*/*.py')
    # deblurring configs take no mask: tests/test_restoration checks them
    if p.parent.name not in ('_base_', 'sem_net_deblur')
)


def _strip(value: object) -> object:
    """``value`` without pipelines (lists are replaced whole when merged)."""
    if isinstance(value, dict):
        return {
            k: _strip(v)
            for k, v in value.items()
            if k != 'pipeline' and not k.endswith('_pipeline')
        }
    if isinstance(value, list | tuple):
        return [_strip(v) for v in value]
    return value


def _data_keys(tree: dict) -> dict:
    """The dataset files' keys of ``tree``, pipelines removed, JSON-typed."""
    keys = {key for section in RECORD.values() for key in section}
    return json.loads(json.dumps(_strip({k: v for k, v in tree.items() if k in keys})))


def data_section(cfg: Config) -> dict:
    """The dataset file's keys of a merged config, pipelines removed, JSON-typed."""
    return _data_keys(cfg.to_dict())


def model_chain(config: Path) -> list[Path]:
    """``config`` and the model configs it inherits (no ``_base_`` files), leaf last."""
    found = bases(config)
    chain: list[Path] = []
    for rel in [found] if isinstance(found, str) else found or []:
        parent = (config.parent / rel).resolve()
        if '_base_' not in parent.parts:
            chain += model_chain(parent)
    return [*chain, config]


def expected_section(config: Path, name: str) -> dict:
    """The recorded section of ``name`` with what ``config``'s own chain writes.

    A model config may set a data key on purpose (a 64x64 row's ``img_size``,
    the thesis batch size); only keys that no file of its chain writes must keep
    the recorded value.
    """
    want = flat(RECORD[name])
    for path in model_chain(config):
        want.update(flat(_data_keys(own_assignments(path))))
    return want


def dataset_file(config: Path) -> str | None:
    """Name of the dataset ``_base_`` file a config inherits, followed through bases."""
    text = config.read_text()
    found = re.search(r'_base_/datasets/(\w+\.py)', text)
    if found:
        return found.group(1)
    bases = re.search(r'^_base_\s*=\s*(\[.*?\]|.*?$)', text, re.M | re.S)
    for rel in re.findall(r"'([^']+\.py)'", bases.group(1) if bases else ''):
        name = dataset_file((config.parent / rel).resolve())
        if name:
            return name
    return None


def test_shared_loader_base_is_inherited():
    for name in ('nvidia_masks_256x256.py', 'own_folder.py', 'demo.py'):
        assert "_base_ = './image_mask_loaders.py'" in (DATASETS / name).read_text()


@pytest.mark.parametrize('name', sorted(RECORD))
def test_dataset_config_merges_as_before(name):
    assert data_section(Config.fromfile(str(DATASETS / name))) == RECORD[name]


@pytest.mark.parametrize('config', LEAVES, ids=lambda p: f'{p.parent.name}/{p.name}')
def test_every_model_config_gets_the_recorded_data_section(config):
    name = dataset_file(config)
    assert name in RECORD, f'{config} inherits no recorded dataset config'
    got = flat(data_section(Config.fromfile(str(config))))
    assert got == expected_section(config, name)
