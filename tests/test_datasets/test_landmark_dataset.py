"""ImageMaskDataset with landmark files, on the shared CelebA faces (no detector)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from inpaintzoo.datasets import ImageMaskDataset
from inpaintzoo.datasets.data_paths import missing_data_paths
from inpaintzoo.datasets.face_landmarks import read_landmarks, write_landmarks
from inpaintzoo.registry import DATASETS, TRANSFORMS
from inpaintzoo.utils.errors import ConfigError, DataNotFoundError
from tests.conftest import REPO_ROOT
from tests.test_datasets.landmark_helpers import face68

PIPELINE = [
    dict(type='LoadImage'),
    dict(type='LoadLandmarks'),
    dict(type='CenterCropResize', size=128),
    dict(type='LoadMask'),
    dict(type='PackInpaintInputs'),
]


def _built(pipeline: list[dict]) -> list:
    """Transform objects (no default registry scope is set in these tests)."""
    return [TRANSFORMS.build(step) for step in pipeline]


@pytest.fixture
def faces(data_dir, tmp_path) -> Path:
    """tmp copy of shared celeba_landmarks with made-up landmark files."""
    src = data_dir / 'celeba_landmarks'
    root = tmp_path / 'celeba'
    shutil.copytree(src / 'images', root / 'images')
    shutil.copytree(src / 'masks', root / 'masks')
    for i, img in enumerate(sorted((root / 'images').glob('*.png'))):
        # a plausible face, shifted a little per image so files differ
        write_landmarks(root / 'landmarks' / f'{img.stem}.txt', face68() + i)
    return root


def test_dataset_yields_gt_landmarks_moved_with_the_image(faces):
    ds = ImageMaskDataset(
        img_source='images',
        mask_source='masks',
        landmark_source='landmarks',
        data_root=str(faces),
        pipeline=_built(PIPELINE),
        test_mode=True,
    )
    assert len(ds) == 4
    info = ds.get_data_info(2)
    assert info['landmark_path'] == str(faces / 'landmarks' / '00002.txt')
    item = ds[2]
    expected = (face68() + 2) * 0.5  # 256x256 image resized to 128
    sample = item['data_samples']
    np.testing.assert_allclose(item['inputs']['landmarks'].numpy(), expected)
    assert isinstance(sample.landmarks, torch.Tensor)
    np.testing.assert_allclose(sample.landmarks.numpy(), expected)
    assert sample.metainfo['landmark_path'] == info['landmark_path']
    assert item['inputs']['img'].shape == (3, 128, 128)


def test_without_landmark_source_nothing_changes(faces):
    ds = ImageMaskDataset(img_source=str(faces / 'images'))
    assert 'landmark_path' not in ds.get_data_info(0)


def test_missing_landmark_files_are_reported_at_load(faces):
    for stem in ('00001', '00003'):
        (faces / 'landmarks' / f'{stem}.txt').unlink()
    with pytest.raises(DataNotFoundError) as err:
        ImageMaskDataset(
            img_source='images', landmark_source='landmarks', data_root=str(faces)
        )
    msg = str(err.value)
    assert '2 of 4 images' in msg
    assert '00001, 00003' in msg
    assert str(faces / 'landmarks') in msg
    assert 'prepare_landmarks.py' in msg


def test_many_missing_files_list_ten_and_the_count(tmp_path):
    for i in range(12):
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(tmp_path / f'{i:02d}.png')
    (tmp_path / 'lm').mkdir()
    write_landmarks(tmp_path / 'lm' / '05.txt', face68())
    with pytest.raises(DataNotFoundError, match='11 of 12 images') as err:
        ImageMaskDataset(img_source=str(tmp_path), landmark_source=str(tmp_path / 'lm'))
    msg = str(err.value)
    assert '00, 01, 02, 03, 04, 06, 07, 08, 09, 10, ...' in msg
    assert '11,' not in msg
    assert '05' not in msg


def test_missing_landmark_folder_and_shared_stems(faces, tmp_path):
    with pytest.raises(DataNotFoundError, match=r'landmark folder .*nowhere'):
        ImageMaskDataset(
            img_source='images', landmark_source='nowhere', data_root=str(faces)
        )
    for sub in ('a', 'b'):
        (tmp_path / 'imgs' / sub).mkdir(parents=True)
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(
            tmp_path / 'imgs' / sub / 'x.png'
        )
    (tmp_path / 'lm').mkdir()
    with pytest.raises(ConfigError, match="share the stem 'x'"):
        ImageMaskDataset(
            img_source=str(tmp_path / 'imgs'), landmark_source=str(tmp_path / 'lm')
        )


def test_same_image_in_several_buckets_is_not_a_shared_stem(faces):
    for label in ('0.01-20%', '20-40%'):
        shutil.copytree(faces / 'masks', faces / 'buckets' / label)
    ds = ImageMaskDataset(
        img_source='images',
        mask_source='buckets',
        mask_mode='paired_per_bucket',
        buckets=['0.01-20%', '20-40%'],
        landmark_source='landmarks',
        data_root=str(faces),
    )
    assert len(ds) == 8
    assert ds.get_data_info(5)['landmark_path'].endswith('00001.txt')


def test_data_path_check_names_the_landmark_folder():
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs/_base_/datasets/celeba_landmarks.py')
    )
    keys = {k for p in missing_data_paths(cfg) for k in p.keys}
    assert 'train_dataloader.dataset.landmark_source' in keys
    assert 'test_dataloader.dataset.landmark_source' in keys


def test_celeba_landmarks_config_pipeline(faces):
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs/_base_/datasets/celeba_landmarks.py')
    )
    assert cfg.train_dataloader.dataset.landmark_source == 'landmarks'
    assert cfg.test_dataloader.dataset.landmark_source == 'data/celeba/landmarks'
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.update(
        img_source=str(faces / 'images'),
        mask_source=str(faces / 'masks'),
        mask_mode='paired',
        landmark_source=str(faces / 'landmarks'),
    )
    ds_cfg.pop('buckets')
    ds_cfg.pipeline = _built(ds_cfg.pipeline)
    ds = DATASETS.build(ds_cfg)
    sample = ds[1]['data_samples']
    # 256x256 images: the centre crop is a no-op; official rounding gives whole
    # pixels clamped to [0, 255]
    gt = read_landmarks(faces / 'landmarks' / '00001.txt')
    expected = np.clip(np.trunc(gt + 0.5), 0, 255)
    np.testing.assert_array_equal(sample.landmarks.numpy(), expected)
    steps = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert steps.index('LoadLandmarks') < steps.index('CenterCropResize')


def test_celeba_landmarks_config_on_a_celeba_sized_layout(tmp_path, monkeypatch):
    """The real config on 178x218 images: official shift, scale, rounding."""
    data = tmp_path / 'data' / 'celeba'
    img = np.random.default_rng(0).integers(0, 256, (218, 178, 3), dtype=np.uint8)
    pts = face68() * 0.5 + np.float32(30)  # a small face inside 178x218
    pts[0] = [10.0, 30.0]  # -> 10 * 256 / 178 = 14.38 -> 14, (30 - 20) -> 14
    pts[1] = [177.0, 237.0]  # -> 254.56 -> 255 and 312.09 -> clamped 255
    (data / 'images').mkdir(parents=True)
    for i in range(2):
        Image.fromarray(img).save(data / 'images' / f'{i:06d}.jpg')
        write_landmarks(data / 'landmarks' / f'{i:06d}.txt', pts)
    (data / 'flists').mkdir()
    for split in ('train', 'test'):
        (data / 'flists' / f'{split}.flist').write_text(
            '../images/000000.jpg\n../images/000001.jpg\n'
        )
    masks = tmp_path / 'data' / 'nvidia_masks'
    (masks / 'train').mkdir(parents=True)
    Image.fromarray(np.full((64, 64), 255, np.uint8)).save(masks / 'train' / 'm.png')
    for label in ('0.01-20%', '20-40%', '40-60%'):
        (masks / 'test_buckets' / label).mkdir(parents=True)
        Image.fromarray(np.full((64, 64), 255, np.uint8)).save(
            masks / 'test_buckets' / label / 'm.png'
        )
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs/_base_/datasets/celeba_landmarks.py')
    )
    assert missing_data_paths(cfg) == []
    expected = np.trunc((pts - [0, 20]) * np.float32(256 / 178) + 0.5)
    expected = np.clip(expected, 0, 255)
    np.testing.assert_array_equal(expected[:2], [[14, 14], [255, 255]])
    for loader in ('train_dataloader', 'test_dataloader'):
        ds_cfg = cfg[loader].dataset
        ds_cfg.pipeline = _built(ds_cfg.pipeline)
        ds = DATASETS.build(ds_cfg)
        item = ds[1]
        assert item['inputs']['img'].shape == (3, 256, 256)
        np.testing.assert_array_equal(item['inputs']['landmarks'].numpy(), expected)
        np.testing.assert_array_equal(item['data_samples'].landmarks.numpy(), expected)
