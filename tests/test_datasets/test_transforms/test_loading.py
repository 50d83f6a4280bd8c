import numpy as np
import pytest
from PIL import Image

from inpaintzoo.datasets.transforms import LoadImage, LoadMask
from inpaintzoo.utils.errors import ConfigError, ImageReadError, InvalidMaskError


def test_load_image_rgb(data_dir):
    path = str(data_dir / 'places' / 'test1.jpg')
    out = LoadImage().transform({'img_path': path})
    assert out['img'].dtype == np.uint8
    assert out['img'].shape == (512, 512, 3)
    assert out['ori_shape'] == out['img_shape'] == (512, 512)
    # RGB order, not BGR: compare with Pillow's decoding
    np.testing.assert_array_equal(out['img'], np.asarray(Image.open(path)))


def test_load_image_grey_and_alpha(tmp_path):
    grey = np.arange(48, dtype=np.uint8).reshape(6, 8)
    Image.fromarray(grey).save(tmp_path / 'g.png')
    img = LoadImage().transform({'img_path': str(tmp_path / 'g.png')})['img']
    assert img.shape == (6, 8, 3)
    for c in range(3):
        np.testing.assert_array_equal(img[..., c], grey)
    rgba = np.full((5, 5, 4), 7, np.uint8)
    rgba[..., 3] = 0
    Image.fromarray(rgba).save(tmp_path / 'a.png')
    img = LoadImage().transform({'img_path': str(tmp_path / 'a.png')})['img']
    assert img.shape == (5, 5, 3)
    assert (img == 7).all()


def test_load_image_errors(tmp_path):
    with pytest.raises(ImageReadError, match=r'missing\.png'):
        LoadImage().transform({'img_path': str(tmp_path / 'missing.png')})
    fake = tmp_path / 'fake.jpg'
    fake.write_text('not an image')
    with pytest.raises(ImageReadError, match=r'fake\.jpg'):
        LoadImage().transform({'img_path': str(fake)})


def test_load_mask_black_hole_rgb(data_dir):
    # MAT convention, RGB file, 255 = known; README: holes of 50-72 %
    img = np.zeros((512, 512, 3), np.uint8)
    out = LoadMask(convention='black_hole').transform(
        {'img': img, 'mask_path': str(data_dir / 'celebahq' / 'mask1.png')}
    )
    mask = out['mask']
    assert mask.shape == (512, 512)
    assert mask.dtype == np.float32
    assert set(np.unique(mask)) == {0.0, 1.0}
    assert 0.45 < mask.mean() < 0.75
    assert out['mask_bucket'] in ('40-60%', '60-100%')


def test_load_mask_anti_aliased_white_hole(data_dir):
    paths = sorted((data_dir / 'celeba_landmarks' / 'masks').glob('*.png'))
    assert paths
    for path in paths:
        raw = np.asarray(Image.open(path))
        mask = LoadMask().transform({'mask_path': str(path)})['mask']
        assert set(np.unique(mask)) <= {0.0, 1.0}
        assert 0.01 < mask.mean() < 0.7
        # threshold 0: every non-zero (also grey edge) pixel is a hole
        grey = raw if raw.ndim == 2 else raw[..., :3].max(axis=2)
        np.testing.assert_array_equal(mask, (grey > 0).astype(np.float32))


def test_load_mask_size_mismatch(tmp_path):
    arr = np.zeros((8, 8), np.uint8)
    arr[:4, :4] = 255
    Image.fromarray(arr).save(tmp_path / 'm.png')
    results = {
        'img': np.zeros((16, 16, 3), np.uint8),
        'img_path': 'img.png',
        'mask_path': str(tmp_path / 'm.png'),
    }
    with pytest.raises(InvalidMaskError, match=r'\(8, 8\).*\(16, 16\)'):
        LoadMask(resize=False).transform(dict(results))
    mask = LoadMask(resize=True).transform(dict(results))['mask']
    assert mask.shape == (16, 16)
    assert mask.sum() == 64
    assert mask[:8, :8].all()
    grown = LoadMask(interpolation='bicubic').transform(dict(results))['mask']
    assert set(np.unique(grown)) == {0.0, 1.0}
    assert grown.sum() > mask.sum()  # official bicubic + '> 0' grows holes


def test_load_mask_errors(tmp_path):
    with pytest.raises(ImageReadError, match=r'nope\.png'):
        LoadMask().transform({'mask_path': str(tmp_path / 'nope.png')})
    with pytest.raises(ConfigError, match='mask_path'):
        LoadMask().transform({'mask_path': None})
    with pytest.raises(ConfigError, match='convention'):
        LoadMask(convention='white')
