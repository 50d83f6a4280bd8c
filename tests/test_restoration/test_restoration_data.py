"""Paired datasets (GoPro, HIDE, folders, sharp) and paired transforms."""

from pathlib import Path

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from inpaintzoo.datasets import PairedImageDataset
from inpaintzoo.datasets.transforms import (
    LoadPairedImages,
    PackRestorationInputs,
    PairedRandomCrop,
    PairedRandomFlip,
    RandomMotionBlur,
)
from inpaintzoo.datasets.transforms.motion_blur import random_motion_kernel
from inpaintzoo.utils.errors import (
    ConfigError,
    DataNotFoundError,
    FolderPairingError,
    InvalidImageError,
)

from .conftest import random_rgb, write_png


def coords_pair(h: int = 20, w: int = 30) -> dict:
    """img and gt that encode their pixel position, gt = img + 1 (aligned pair)."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([yy, xx, np.zeros_like(yy)], -1).astype(np.uint8)
    return dict(img=img, gt=img + 1, img_path='b.png', gt_path='s.png')


def test_paired_crop_and_flip_keep_the_pair_aligned():
    np.random.seed(0)  # noqa: NPY002
    crop, flip = PairedRandomCrop(8), PairedRandomFlip(horizontal=0.5, vertical=0.5)
    tops = set()
    for _ in range(20):
        res = flip(crop(coords_pair()))
        assert res['img'].shape == res['gt'].shape == (8, 8, 3)
        np.testing.assert_array_equal(res['gt'], res['img'] + 1)
        tops.add(int(res['img'][..., 0].min()))
    assert len(tops) > 3  # the crop moves


def test_paired_transforms_refuse_pairs_of_different_sizes():
    res = coords_pair()
    res['gt'] = res['gt'][:-1]
    for t in (PairedRandomCrop(8), PairedRandomFlip(), PackRestorationInputs()):
        with pytest.raises(InvalidImageError, match=r'b\.png.*s\.png|20x30'):
            t(dict(res))
    with pytest.raises(InvalidImageError, match='smaller than the crop'):
        PairedRandomCrop(64)(coords_pair())


def test_load_names_both_files_on_size_mismatch(tmp_path: Path):
    rng = np.random.default_rng(0)
    blur = write_png(tmp_path / 'b.png', random_rgb(rng, 10, 12))
    sharp = write_png(tmp_path / 's.png', random_rgb(rng, 10, 14))
    with pytest.raises(InvalidImageError) as err:
        LoadPairedImages()(dict(img_path=str(blur), gt_path=str(sharp)))
    assert 'b.png' in str(err.value)
    assert 's.png' in str(err.value)
    assert '10x12' in str(err.value)
    assert '10x14' in str(err.value)


def test_motion_blur_kernels_and_seeded_transform():
    rng = np.random.default_rng(0)
    for _ in range(20):
        k = random_motion_kernel(rng, (5, 9))
        assert k.shape[0] == k.shape[1]
        assert k.shape[0] % 2 == 1
        assert 5 <= k.shape[0] <= 9
        assert k.min() >= 0
        assert k.sum() == pytest.approx(1.0, abs=1e-5)
        assert (k > 0).sum() > 1  # a trajectory, not a delta
    sharp = random_rgb(np.random.default_rng(1), 32, 32)
    blur = RandomMotionBlur(seed=3)
    a = blur(dict(gt=sharp, sample_idx=0))['img']
    b = blur(dict(gt=sharp, sample_idx=0))['img']
    c = blur(dict(gt=sharp, sample_idx=1))['img']
    np.testing.assert_array_equal(a, b)  # fixed per sample
    assert not np.array_equal(a, c)
    assert a.dtype == np.uint8
    assert a.shape == sharp.shape
    assert (
        np.abs(np.diff(a.astype(float), axis=1)).mean()
        < np.abs(np.diff(sharp.astype(float), axis=1)).mean()
    )  # smoother than the sharp noise
    with pytest.raises(ConfigError, match='gt'):
        blur(dict(img=sharp))


def test_motion_kernel_sides_stay_odd_and_within_the_bounds():
    rng = np.random.default_rng(0)
    for bounds, allowed in (((4, 8), {5, 7}), ((5, 9), {5, 7, 9}), ((6, 7), {7})):
        sides = {random_motion_kernel(rng, bounds).shape[0] for _ in range(60)}
        assert sides == allowed  # every odd side drawn, nothing outside
    for bounds in ((4, 4), (6, 6)):
        with pytest.raises(
            ConfigError, match=rf'\({bounds[0]}, {bounds[1]}\) holds no'
        ):
            random_motion_kernel(rng, bounds)
        with pytest.raises(ConfigError, match=r'RandomMotionBlur\.kernel_size'):
            RandomMotionBlur(kernel_size=bounds)
    for bad in ((9, 5), 7, (5.0, 9), ('5', '9'), (5, 7, 9)):
        with pytest.raises(ConfigError, match=r'RandomMotionBlur\.kernel_size'):
            RandomMotionBlur(kernel_size=bad)


def test_gopro_layout(gopro_root: Path):
    init_default_scope('inpaintzoo')
    ds = PairedImageDataset(layout='gopro', data_root=str(gopro_root), split='train')
    assert len(ds) == 4
    info = ds.get_data_info(0)
    assert '/blur/' in info['img_path']
    assert '/sharp/' in info['gt_path']
    assert Path(info['img_path']).name == Path(info['gt_path']).name
    assert all('blur_gamma' not in ds.get_data_info(i)['img_path'] for i in range(4))


def test_gopro_stems_name_the_sequence(gopro_root: Path):
    # GoPro numbers the frames of every sequence from 1: the file stem repeats
    ds = PairedImageDataset(layout='gopro', data_root=str(gopro_root), split='test')
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [Path(i['img_path']).stem for i in infos] == ['000000', '000001'] * 2
    assert [i['stem'] for i in infos] == [
        'GOPR0001_11_00_000000',
        'GOPR0001_11_00_000001',
        'GOPR0002_11_01_000000',
        'GOPR0002_11_01_000001',
    ]
    for info in infos:  # the stem leads back to the pair
        seq, frame = info['stem'].rsplit('_', 1)
        assert info['img_path'].endswith(f'{seq}/blur/{frame}.png')


def test_hide_layout(hide_root: Path):
    ds = PairedImageDataset(layout='hide', data_root=str(hide_root))
    assert len(ds) == 3  # the extra GT file is not a test image
    names = [Path(ds.get_data_info(i)['gt_path']).name for i in range(3)]
    assert names == ['1fromGOPR0950.png', '3fromGOPR0981.png', '9fromGOPR1024.png']
    assert [ds.get_data_info(i)['stem'] for i in range(3)] == [
        '1fromGOPR0950',
        '3fromGOPR0981',
        '9fromGOPR1024',
    ]
    one = PairedImageDataset(
        layout='hide', data_root=str(hide_root), subsets=['test-long-shot']
    )
    assert len(one) == 2
    # one name is one subset (not its letters), also a tuple missing its comma
    for subsets in ('test-long-shot', ('test-long-shot')):
        ds = PairedImageDataset(
            layout='hide', data_root=str(hide_root), subsets=subsets
        )
        assert ds.subsets == ('test-long-shot',)
        assert len(ds) == 2
    with pytest.raises(ConfigError, match=r"unknown \['test-long'\]"):
        PairedImageDataset(layout='hide', data_root=str(hide_root), subsets='test-long')
    with pytest.raises(ConfigError, match='subsets must be a folder name or a list'):
        PairedImageDataset(layout='hide', data_root=str(hide_root), subsets=3)


def test_unpaired_files_are_named(gopro_root: Path, hide_root: Path):
    extra = gopro_root / 'test' / 'GOPR0002_11_01' / 'blur' / 'lonely.png'
    write_png(extra, random_rgb(np.random.default_rng(0)))
    with pytest.raises(FolderPairingError, match=r'sharp.*lonely\.png'):
        PairedImageDataset(layout='gopro', data_root=str(gopro_root), split='test')
    (hide_root / 'GT' / '3fromGOPR0981.png').unlink()
    with pytest.raises(FolderPairingError, match=r'3fromGOPR0981\.png'):
        PairedImageDataset(layout='hide', data_root=str(hide_root))


def test_folders_and_sharp_layouts_and_errors(tmp_path: Path):
    rng = np.random.default_rng(0)
    for name in ('a.png', 'sub/b.png'):
        write_png(tmp_path / 'in' / name, random_rgb(rng))
        write_png(tmp_path / 'gt' / name, random_rgb(rng))
    ds = PairedImageDataset(
        layout='folders', data_root=str(tmp_path), blur_source='in', gt_source='gt'
    )
    assert len(ds) == 2
    assert [ds.get_data_info(i)['stem'] for i in range(2)] == ['a', 'sub_b']
    sharp = PairedImageDataset(layout='sharp', data_root=str(tmp_path), gt_source='gt')
    assert sharp.get_data_info(0)['img_path'] is None
    assert [sharp.get_data_info(i)['stem'] for i in range(2)] == ['a', 'sub_b']
    with pytest.raises(ConfigError, match='blur_source'):
        PairedImageDataset(layout='folders', gt_source='gt')
    with pytest.raises(ConfigError, match='layout'):
        PairedImageDataset(layout='gopro2')
    with pytest.raises(DataNotFoundError, match='does not exist'):
        PairedImageDataset(layout='gopro', data_root=str(tmp_path / 'nope'))


def test_pipeline_packs_uint8_pairs(gopro_root: Path):
    pipeline = [
        dict(type='LoadPairedImages'),
        dict(type='PairedRandomCrop', size=16),
        dict(type='PackRestorationInputs'),
    ]
    init_default_scope('inpaintzoo')
    ds = PairedImageDataset(
        layout='gopro', data_root=str(gopro_root), split='test', pipeline=pipeline
    )
    item = ds[0]
    assert item['inputs']['img'].shape == item['inputs']['gt'].shape == (3, 16, 16)
    assert item['data_samples'].metainfo['gt_path'].endswith('.png')
    assert item['data_samples'].metainfo['stem'] == 'GOPR0001_11_00_000000'
