"""The "your own pictures" data config: a folder of images, generated masks."""

from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.datasets.data_paths import check_data_paths
from inpaintzoo.registry import DATASETS

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / 'configs/_base_/datasets/own_folder.py'
EXAMPLE = REPO / 'configs/hint/hint_1xb4-300k_own-folder-256x256.py'


@pytest.fixture(scope='module')
def own_root(tmp_path_factory) -> Path:
    """data/own with 3 train pictures (odd sizes, nested) and 2 val pictures."""
    root = tmp_path_factory.mktemp('own')
    rng = np.random.default_rng(0)
    shapes = {
        'train/a.jpg': (40, 60),
        'train/sub/b.png': (50, 50),
        'train/c.png': (70, 30),
    }
    shapes |= {'val/x.png': (48, 64), 'val/y.jpg': (64, 48)}
    for rel, (h, w) in shapes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
    return root


def _with_root(cfg: Config, root: Path) -> Config:
    cfg.train_dataloader.dataset.data_root = str(root)
    for loader in (cfg.val_dataloader, cfg.test_dataloader):
        for ds in loader.dataset.datasets:
            ds.data_root = str(root)
    return cfg


def test_example_config_builds_its_datasets_from_a_folder(own_root):
    init_default_scope('inpaintzoo')
    cfg = _with_root(Config.fromfile(str(EXAMPLE)), own_root)
    check_data_paths(cfg)  # no flists, no NVIDIA masks needed
    train = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(train) == 3
    item = train[1]
    assert item['inputs']['img'].shape == (3, 256, 256)
    mask = item['inputs']['mask']
    assert mask.shape == (1, 256, 256)
    assert 0 < float(mask.mean()) < 1
    val = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(val) == 2 * 3  # every val picture once per hole-ratio bucket
    buckets = [val[i]['data_samples'].mask_bucket for i in range(len(val))]
    assert buckets == ['0.01-20%'] * 2 + ['20-40%'] * 2 + ['40-60%'] * 2
    # fixed masks: the same on a second fetch
    assert (val[3]['inputs']['mask'] == val[3]['inputs']['mask']).all()
    assert cfg.test_dataloader == cfg.val_dataloader


def test_missing_folder_is_reported_with_the_docs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(str(BASE))
    with pytest.raises(OSError, match='data/own/train') as info:
        check_data_paths(cfg)
    assert 'data/own/val' in str(info.value)
    assert 'docs/data_preparation.md' in str(info.value)
