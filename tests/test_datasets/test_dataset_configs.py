from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.registry import DATASETS

REPO = Path(__file__).resolve().parents[2]
BUCKETS = ('0.01-20%', '20-40%', '40-60%')


def _png(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)


def _mask(h: int, w: int, rows: int) -> np.ndarray:
    arr = np.zeros((h, w), np.uint8)
    arr[:rows] = 255
    return arr


def _fake_layout(root: Path, name: str) -> None:
    """Tiny stand-in for data/<set> and data/nvidia_masks under ``root``."""
    data = root / 'data' / name
    img = np.random.default_rng(0).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    for split in ('train', 'test/images'):
        for i in range(3):
            _png(data / split / f'{i}.png', img)
    for i in range(3):
        _png(data / 'test' / 'masks' / f'{i}.png', _mask(40, 30, 10))
    (data / 'flists').mkdir()
    for flist, split in (('train', 'train'), ('test', 'test/images')):
        lines = [f'../{split}/{i}.png' for i in range(3)]
        (data / 'flists' / f'{flist}.flist').write_text('\n'.join(lines))
    (data / 'flists' / 'val.flist').write_text('../test/images/0.png\n')
    masks = root / 'data' / 'nvidia_masks'
    _png(masks / 'train' / 'm.png', _mask(64, 64, 20))
    for rows, bucket in zip((6, 19, 32), BUCKETS):
        _png(masks / 'test_buckets' / bucket / 'm.png', _mask(64, 64, rows))


@pytest.mark.parametrize('name', ['celeba_hq', 'celeba', 'places2', 'dunhuang'])
def test_real_dataset_configs_build(name, tmp_path, monkeypatch):
    cfg = Config.fromfile(str(REPO / 'configs' / '_base_' / 'datasets' / f'{name}.py'))
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_dataloader.sampler.type == 'InfiniteSampler'
    assert cfg.test_dataloader.sampler == dict(type='DefaultSampler', shuffle=False)
    assert 'evaluator' not in ''.join(cfg.keys())
    _fake_layout(tmp_path, name)
    monkeypatch.chdir(tmp_path)
    init_default_scope('inpaintzoo')
    train = DATASETS.build(cfg.train_dataloader.dataset)
    item = train[0]
    assert item['inputs']['img'].shape == (3, 256, 256)
    assert item['inputs']['mask'].shape == (1, 256, 256)
    test = DATASETS.build(cfg.test_dataloader.dataset)
    buckets = set()
    for i in range(len(test)):
        out = test[i]
        assert out['inputs']['mask'].dtype == torch.float32
        assert out['inputs']['img'].shape == (3, 256, 256)
        buckets.add(out['data_samples'].mask_bucket)
    expected = {'20-40%'} if name == 'dunhuang' else set(BUCKETS)
    assert buckets == expected
