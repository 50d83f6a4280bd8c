"""``check_data_paths``: every missing data path of a config, in one message."""

from pathlib import Path

import pytest
from mmengine.config import Config

from inpaintzoo.datasets.data_paths import (
    TEST_LOADERS,
    check_data_paths,
    loaders_used_by_training,
    missing_data_paths,
    required_data_paths,
)
from inpaintzoo.utils.errors import DataNotFoundError

REPO = Path(__file__).resolve().parents[2]


def test_places2_without_data_lists_all_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(str(REPO / 'configs/mxt/mxt_places2.py'))
    with pytest.raises(DataNotFoundError) as info:
        check_data_paths(cfg, loaders_used_by_training(cfg), 'mxt_places2.py')
    message = str(info.value)
    for path in (
        'data/places2/flists/train.flist',
        'data/nvidia_masks/train',
        'data/places2/flists/val.flist',
        'data/nvidia_masks/test_buckets',
    ):
        assert path in message
    assert 'train_dataloader.dataset.pipeline.2.mask_source' in message
    assert 'docs/data_preparation.md' in message
    assert len(message.splitlines()) == 6


def test_bucket_folders_are_checked_once_the_root_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(str(REPO / 'configs/mxt/mxt_places2.py'))
    (tmp_path / 'data/nvidia_masks/test_buckets/20-40%').mkdir(parents=True)
    (tmp_path / 'data/places2/flists').mkdir(parents=True)
    (tmp_path / 'data/places2/flists/val.flist').write_text('')
    missing = {p.path for p in missing_data_paths(cfg, TEST_LOADERS)}
    assert missing == {
        'data/nvidia_masks/test_buckets/0.01-20%',
        'data/nvidia_masks/test_buckets/40-60%',
    }


def test_wrappers_and_data_root_are_followed(tmp_path):
    (tmp_path / 'imgs').mkdir()
    cfg = dict(
        test_dataloader=dict(
            dataset=dict(
                type='ConcatDataset',
                datasets=[
                    dict(data_root=str(tmp_path), img_source='imgs'),
                    dict(
                        type='RepeatDataset',
                        dataset=dict(data_root=str(tmp_path), img_source='other'),
                    ),
                ],
            )
        )
    )
    required = required_data_paths(cfg, TEST_LOADERS)
    assert [Path(p.path) for p in required] == [tmp_path / 'imgs', tmp_path / 'other']
    (missing,) = missing_data_paths(cfg, TEST_LOADERS)
    assert missing.keys == ['test_dataloader.dataset.datasets.1.dataset.img_source']


def test_demo_config_with_its_data_passes(tmp_path):
    demo_root = tmp_path / 'demo'
    for sub in ('train', 'val/images', 'val/masks', 'test/images', 'test/masks'):
        (demo_root / sub).mkdir(parents=True)
    cfg = Config.fromfile(str(REPO / 'configs/_base_/datasets/demo.py'))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = str(demo_root)
    check_data_paths(cfg)  # no error
    cfg.val_cfg = None
    assert loaders_used_by_training(cfg) == ('train_dataloader',)
