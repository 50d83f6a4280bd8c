from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.datasets.masks import ratio_to_bucket
from inpaintzoo.registry import DATASETS
from inpaintzoo.structures.inpaint_sample import InpaintSample
from tests.test_datasets.tree_digest import tree_digest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('demo')
    prepare_demo_data(root)
    return root


def test_layout_and_determinism(demo_root, tmp_path):
    train = sorted((demo_root / 'train').glob('*.png'))
    images = sorted((demo_root / 'test' / 'images').glob('*.png'))
    masks = sorted((demo_root / 'test' / 'masks').glob('*.png'))
    assert len(train) == 48
    assert len(images) == len(masks) == 8
    assert [p.stem for p in images] == [p.stem for p in masks]
    assert np.asarray(Image.open(train[0])).shape == (64, 64, 3)
    # a separate val split: the val grids/metrics are not the test ones
    val_images = sorted((demo_root / 'val' / 'images').glob('*.png'))
    val_masks = sorted((demo_root / 'val' / 'masks').glob('*.png'))
    assert len(val_images) == len(val_masks) == 4
    assert [p.stem for p in val_images] == [p.stem for p in val_masks]
    test_bytes = {p.read_bytes() for p in images + masks}
    assert not test_bytes & {p.read_bytes() for p in val_images + val_masks}
    prepare_demo_data(tmp_path)
    assert tree_digest(tmp_path) == tree_digest(demo_root)


def test_test_masks_cover_three_buckets(demo_root):
    buckets = []
    for path in sorted((demo_root / 'test' / 'masks').glob('*.png')):
        arr = np.asarray(Image.open(path))
        assert arr.shape == (64, 64)
        assert set(np.unique(arr)) <= {0, 255}
        buckets.append(ratio_to_bucket((arr > 0).mean()))
    for label in ('0.01-20%', '20-40%', '40-60%'):
        assert buckets.count(label) >= 2


def _build(cfg_loader, demo_root):
    cfg = cfg_loader.dataset.copy()
    cfg['data_root'] = str(demo_root)
    return DATASETS.build(cfg)


def test_demo_config_pipelines(demo_root):
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(str(REPO / 'configs' / '_base_' / 'datasets' / 'demo.py'))
    assert cfg.train_dataloader.batch_size == 4
    train_set = _build(cfg.train_dataloader, demo_root)
    assert len(train_set) == 48
    item = train_set[0]
    assert item['inputs']['img'].shape == (3, 64, 64)
    assert item['inputs']['img'].dtype == torch.uint8
    mask = item['inputs']['mask']
    assert mask.shape == (1, 64, 64)
    assert mask.dtype == torch.float32
    assert 0 < mask.mean() < 1
    test_set = _build(cfg.test_dataloader, demo_root)
    assert len(test_set) == 8
    buckets = set()
    for i in range(len(test_set)):
        sample = test_set[i]['data_samples']
        assert isinstance(sample, InpaintSample)
        assert sample.sample_idx == i
        assert sample.img_shape == (64, 64)
        assert Path(sample.mask_path).stem == Path(sample.img_path).stem
        buckets.add(sample.mask_bucket)
        # paired masks are fixed: the same on a second fetch
        torch.testing.assert_close(
            test_set[i]['inputs']['mask'], test_set[i]['inputs']['mask']
        )
    assert buckets == {'0.01-20%', '20-40%', '40-60%'}
    val_set = _build(cfg.val_dataloader, demo_root)
    assert len(val_set) == 4
    assert all('/val/' in val_set[i]['data_samples'].img_path for i in range(4))
