"""Testing on your own pictures keeps their size (a 451x300 picture stays 451x300)."""

from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.registry import DATASETS

REPO = Path(__file__).resolve().parents[2]
H, W = 300, 451


def _picture(path: Path, size: tuple[int, int] = (H, W), grey: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shape = size if grey else (*size, 3)
    arr = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    if grey:
        arr = np.where(arr > 200, 255, 0).astype(np.uint8)
    Image.fromarray(arr).save(path)


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('inpaintzoo')


def test_own_folder_test_set_keeps_native_size(tmp_path):
    _picture(tmp_path / 'train' / 'a.png')
    _picture(tmp_path / 'val' / 'b.png')
    cfg = Config.fromfile(str(REPO / 'configs/_base_/datasets/own_folder.py'))
    for ds in cfg.test_dataloader.dataset.datasets:
        ds.data_root = str(tmp_path)
    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    item = test_set[0]
    assert item['inputs']['img'].shape == (3, H, W)
    assert item['inputs']['mask'].shape == (1, H, W)
    # training still crops and resizes to the training size
    cfg.train_dataloader.dataset.data_root = str(tmp_path)
    train = DATASETS.build(cfg.train_dataloader.dataset)
    assert train[0]['inputs']['img'].shape == (3, cfg.img_size, cfg.img_size)


def test_demo_config_on_own_pictures_keeps_native_size(tmp_path):
    """The report: tools/test.py with the demo config returned 64x64."""
    _picture(tmp_path / 'test' / 'images' / 'p.png')
    _picture(tmp_path / 'test' / 'masks' / 'p.png', (64, 64), grey=True)
    cfg = Config.fromfile(str(REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'))
    cfg.test_dataloader.dataset.data_root = str(tmp_path)
    item = DATASETS.build(cfg.test_dataloader.dataset)[0]
    assert item['inputs']['img'].shape == (3, H, W)
    assert item['inputs']['mask'].shape == (1, H, W)
