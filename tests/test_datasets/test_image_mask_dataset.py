from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from inpaintzoo.datasets import ImageMaskDataset, image_mask_dataset
from inpaintzoo.datasets.transforms import LoadImage, LoadMask, PackInpaintInputs
from inpaintzoo.utils.errors import ConfigError, ImageReadError


def _png(path: Path, arr: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)
    return path


@pytest.fixture
def image_dir(tmp_path):
    for i in (1, 2, 10, 11, 3):
        _png(tmp_path / 'imgs' / f'{i}.jpg', np.full((8, 8, 3), i, np.uint8))
    return tmp_path / 'imgs'


def _hole_mask(rows: int) -> np.ndarray:
    arr = np.zeros((10, 10), np.uint8)
    arr[:rows] = 255
    return arr


def test_lists_images_numeric_order(image_dir):
    ds = ImageMaskDataset(img_source=str(image_dir))
    assert len(ds) == 5
    assert [Path(ds[i]['img_path']).stem for i in range(5)] == [
        '1',
        '2',
        '3',
        '10',
        '11',
    ]
    info = ds.get_data_info(2)
    assert info['mask_path'] is None
    assert info['mask_bucket'] is None
    assert info['sample_idx'] == 2


def test_data_root_and_flist(tmp_path, image_dir):
    (tmp_path / 'test.flist').write_text('imgs/11.jpg\nimgs/1.jpg\n')
    ds = ImageMaskDataset(img_source='test.flist', data_root=str(tmp_path))
    assert [Path(ds.get_data_info(i)['img_path']).name for i in range(len(ds))] == [
        '11.jpg',
        '1.jpg',
    ]


@pytest.fixture
def logged(capture_print_log):
    """Messages the dataset logs through ``print_log``."""
    return capture_print_log(image_mask_dataset)


def test_paired_masks_index_mod_n_and_buckets(tmp_path, image_dir, logged):
    _png(tmp_path / 'masks' / 'a.png', _hole_mask(1))  # 10 %
    _png(tmp_path / 'masks' / 'b.png', _hole_mask(3))  # 30 %
    ds = ImageMaskDataset(
        img_source=str(image_dir),
        mask_source=str(tmp_path / 'masks'),
        mask_pairing='cyclic',
    )
    # one warning line naming both counts and folders
    assert len(logged) == 1
    assert f'5 images in {image_dir}' in logged[0]
    assert f'2 masks in {tmp_path / "masks"}' in logged[0]
    names = [Path(ds.get_data_info(i)['mask_path']).name for i in range(5)]
    assert names == ['a.png', 'b.png', 'a.png', 'b.png', 'a.png']
    buckets = [ds.get_data_info(i)['mask_bucket'] for i in range(5)]
    assert buckets == ['0.01-20%', '20-40%', '0.01-20%', '20-40%', '0.01-20%']
    # fixed: the same pairing on every fetch
    assert ds.get_data_info(3)['mask_path'] == ds.get_data_info(3)['mask_path']


def test_fewer_masks_need_explicit_cyclic_pairing(tmp_path, image_dir, logged):
    for name in ('a', 'b'):
        _png(tmp_path / 'masks' / f'{name}.png', _hole_mask(1))
    # old code silently gave image i mask i mod 2
    with pytest.raises(ConfigError) as err:
        ImageMaskDataset(img_source=str(image_dir), mask_source=str(tmp_path / 'masks'))
    msg = str(err.value)
    assert f'5 images in {image_dir}' in msg
    assert f'2 masks in {tmp_path / "masks"}' in msg
    assert "mask_pairing='cyclic'" in msg
    with pytest.raises(ConfigError, match='mask_pairing must be one of'):
        ImageMaskDataset(
            img_source=str(image_dir),
            mask_source=str(tmp_path / 'masks'),
            mask_pairing='stem',
        )
    assert logged == []


def test_enough_masks_pair_by_index_without_warning(tmp_path, image_dir, logged):
    for k in range(7):  # more masks than images: the extra ones stay unused
        _png(tmp_path / 'masks' / f'm{k}.png', _hole_mask(k + 1))
    for pairing in ('index', 'cyclic'):
        ds = ImageMaskDataset(
            img_source=str(image_dir),
            mask_source=str(tmp_path / 'masks'),
            mask_pairing=pairing,
            pipeline=[LoadImage(), LoadMask(resize=True), PackInpaintInputs()],
        )
        names = [Path(ds.get_data_info(i)['mask_path']).name for i in range(5)]
        assert names == [f'm{k}.png' for k in range(5)]
        # each sample's mask file travels in its metainfo to the metrics
        sample = ds[3]['data_samples']
        assert Path(sample.metainfo['mask_path']).name == 'm3.png'
    assert logged == []


def test_bucket_from_parent_folder(tmp_path, image_dir):
    # folder name wins over the measured ratio (10 %)
    _png(tmp_path / 'sorted' / '40-60%' / 'a.png', _hole_mask(1))
    ds = ImageMaskDataset(
        img_source=str(image_dir),
        mask_source=str(tmp_path / 'sorted' / '40-60%'),
        mask_pairing='cyclic',
    )
    assert {ds.get_data_info(i)['mask_bucket'] for i in range(len(ds))} == {'40-60%'}


def test_errors(tmp_path, image_dir):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ImageReadError, match='no image files'):
        ImageMaskDataset(img_source=str(tmp_path / 'empty'))
    (tmp_path / 'bad.flist').write_text('imgs/1.jpg\nimgs/404.jpg\n')
    with pytest.raises(ImageReadError, match=r'bad\.flist, line 2.*404\.jpg'):
        ImageMaskDataset(img_source=str(tmp_path / 'bad.flist'))
    with pytest.raises(ConfigError, match='mask_mode'):
        ImageMaskDataset(img_source=str(image_dir), mask_mode='random')
    with pytest.raises(ConfigError, match='needs mask_source'):
        ImageMaskDataset(img_source=str(image_dir), mask_mode='paired')


def test_paired_per_bucket_covers_each_bucket(tmp_path, image_dir, logged):
    root = tmp_path / 'buckets'
    for label, rows, count in (('0.01-20%', 1, 2), ('20-40%', 3, 1), ('40-60%', 5, 3)):
        for k in range(count):
            _png(root / label / f'{k}.png', _hole_mask(rows))
    with pytest.raises(ConfigError, match=r'5 images in .*2 masks in .*0\.01-20%'):
        ImageMaskDataset(
            str(image_dir), mask_source=str(root), mask_mode='paired_per_bucket'
        )
    ds = ImageMaskDataset(
        str(image_dir),
        mask_source=str(root),
        mask_mode='paired_per_bucket',
        mask_pairing='cyclic',
    )
    assert len(logged) == 1  # one line for all three short buckets
    assert '1 masks in' in logged[0]
    assert '3 masks in' in logged[0]
    n_img = len(ImageMaskDataset(str(image_dir)))
    assert len(ds) == 3 * n_img
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['sample_idx'] for i in infos] == list(range(len(ds)))
    assert [i['mask_bucket'] for i in infos] == (
        ['0.01-20%'] * n_img + ['20-40%'] * n_img + ['40-60%'] * n_img
    )
    # image i of each bucket gets mask i mod n_bucket
    last = infos[2 * n_img :]
    assert [Path(i['mask_path']).name for i in last] == [
        f'{k % 3}.png' for k in range(n_img)
    ]
    assert [i['img_path'] for i in last] == [i['img_path'] for i in infos[:n_img]]
    only = ImageMaskDataset(
        str(image_dir),
        mask_source=str(root),
        mask_mode='paired_per_bucket',
        buckets=['20-40%'],
        mask_pairing='cyclic',
    )
    assert {only.get_data_info(i)['mask_bucket'] for i in range(len(only))} == {
        '20-40%'
    }
    with pytest.raises(ImageReadError, match='bucket folder'):
        ImageMaskDataset(
            str(image_dir),
            mask_source=str(root),
            mask_mode='paired_per_bucket',
            buckets=['60-100%'],
        )
    with pytest.raises(ConfigError, match='unknown buckets'):
        ImageMaskDataset(
            str(image_dir),
            mask_source=str(root),
            mask_mode='paired_per_bucket',
            buckets=['x'],
        )


@pytest.mark.parametrize('name', ['celeba', 'celeba_hq', 'places2'])
def test_official_protocol_configs_pair_masks_cyclically(name):
    configs = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / 'datasets'
    cfg = Config.fromfile(str(configs / f'{name}.py'))
    for loader in ('val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.mask_pairing == 'cyclic'
