import numpy as np
import pytest
from PIL import Image

from inpaintzoo.datasets.transforms import CenterCropResize
from inpaintzoo.utils.errors import ConfigError


def test_center_crop_offsets_and_bicubic_resize():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (30, 51, 3), dtype=np.uint8)
    out = CenterCropResize(size=20).transform({'img': img.copy()})
    crop = img[:, 10:40]  # side 30, left = floor(21 / 2) = 10
    expected = np.asarray(Image.fromarray(crop).resize((20, 20), Image.BICUBIC))
    np.testing.assert_array_equal(out['img'], expected)
    assert out['img_shape'] == (20, 20)


def test_same_size_is_noop():
    img = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    out = CenterCropResize(size=16).transform({'img': img.copy()})
    np.testing.assert_array_equal(out['img'], img)


def test_mask_and_landmarks_follow_the_crop():
    img = np.zeros((40, 60, 3), np.uint8)
    mask = np.zeros((40, 60), np.float32)
    mask[:, :30] = 1  # left half of the image; centre crop is columns 10..50
    out = CenterCropResize(size=20).transform(
        {'img': img, 'mask': mask, 'landmarks': np.array([[10.0, 0.0], [50.0, 40.0]])}
    )
    assert out['mask'].shape == (20, 20)
    assert set(np.unique(out['mask'])) == {0.0, 1.0}
    np.testing.assert_array_equal(out['mask'][:, :10], 1)
    np.testing.assert_array_equal(out['mask'][:, 10:], 0)
    np.testing.assert_allclose(out['landmarks'], [[0, 0], [20, 20]])


def test_mask_size_mismatch_and_bad_size():
    with pytest.raises(ConfigError, match='mask size'):
        CenterCropResize(8).transform(
            {'img': np.zeros((10, 10, 3), np.uint8), 'mask': np.zeros((5, 5))}
        )
    with pytest.raises(ConfigError, match='size'):
        CenterCropResize(0)
