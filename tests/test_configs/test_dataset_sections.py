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

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO / 'configs' / '_base_' / 'datasets'
RECORD = json.loads(Path(__file__).with_name('dataset_sections.json').read_text())
LEAVES = sorted(
    p for p in (REPO / 'configs').glob('*/*.py') if p.parent.name != '_base_'
)


def data_section(cfg: Config) -> dict:
    """The dataset file's keys of a merged config, pipelines removed, JSON-typed."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k != 'pipeline' and not k.endswith('_pipeline')
            }
        if isinstance(value, list | tuple):
            return [strip(v) for v in value]
        return value

    keys = {key for section in RECORD.values() for key in section}
    return json.loads(
        json.dumps(strip({k: v for k, v in cfg.to_dict().items() if k in keys}))
    )


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
    assert data_section(Config.fromfile(str(config))) == RECORD[name]
