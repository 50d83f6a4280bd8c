import numpy as np
import pytest
from PIL import Image

from inpaintzoo.datasets.transforms import (
    CenterCropResize,
    RandomCrop,
    RandomHorizontalFlip,
)
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


def _results(h: int = 6, w: int = 8) -> dict:
    img = np.arange(h * w * 3, dtype=np.uint8).reshape(h, w, 3)
    mask = np.zeros((h, w), np.float32)
    mask[1, 2] = 1
    lms = np.array([[2.0, 1.0], [7.0, 5.0]], np.float32)
    return dict(img=img, mask=mask, landmarks=lms, img_path='x.png')


def test_random_crop_moves_image_mask_and_landmarks_together():
    np.random.seed(3)  # noqa: NPY002
    res = RandomCrop((4, 5)).transform(_results())
    assert res['img'].shape == (4, 5, 3)
    assert res['mask'].shape == (4, 5)
    assert res['img_shape'] == (4, 5)
    full = _results()
    # recover the offsets from the image content and check the other keys agree
    top, left = np.argwhere(full['img'][..., 0] == res['img'][0, 0, 0])[0]
    assert np.array_equal(res['mask'], full['mask'][top : top + 4, left : left + 5])
    assert np.allclose(res['landmarks'], full['landmarks'] - [left, top])
    with pytest.raises(ValueError, match='smaller than the crop'):
        RandomCrop(10).transform(_results())


@pytest.mark.parametrize('size', [(6, 8), (6, 5), (4, 8)])
def test_random_crop_of_an_image_with_a_side_equal_to_the_crop(size):
    np.random.seed(0)  # noqa: NPY002
    full = _results()
    for _ in range(20):
        res = RandomCrop(size).transform(_results())
        top, left = np.argwhere(full['img'][..., 0] == res['img'][0, 0, 0])[0]
        assert res['img'].shape[:2] == size
        if size[0] == 6:
            assert top == 0
        if size[1] == 8:
            assert left == 0


def test_random_crop_offsets_are_uniform_and_include_the_last_row_and_column():
    np.random.seed(0)  # noqa: NPY002
    full = _results()
    counts = np.zeros((3, 4), int)  # 6x8 image, 4x5 crop: top 0..2, left 0..3
    draws = 1200
    for _ in range(draws):
        res = RandomCrop((4, 5)).transform(_results())
        top, left = np.argwhere(full['img'][..., 0] == res['img'][0, 0, 0])[0]
        counts[top, left] += 1
    assert counts.sum() == draws
    # every offset is reached, each close to draws / 12 = 100 (binomial sd ~ 9.6)
    assert counts.min() > 60, counts
    assert counts.max() < 140, counts


def test_random_flip_mirrors_everything_and_reorders_pairs():
    res = RandomHorizontalFlip(prob=1.0, flip_pairs=[(0, 1)]).transform(_results())
    full = _results()
    assert np.array_equal(res['img'], full['img'][:, ::-1])
    assert res['mask'][1, 8 - 1 - 2] == 1
    # x -> W - x (pixel corners): point 0 (2, 1) -> x = 6 and moves to index 1;
    # point 1 (7, 5) -> x = 1 at index 0
    assert np.allclose(res['landmarks'], [[1.0, 5.0], [6.0, 1.0]])
    unchanged = RandomHorizontalFlip(prob=0.0).transform(_results())
    assert np.array_equal(unchanged['img'], full['img'])
    with pytest.raises(ConfigError, match='prob'):
        RandomHorizontalFlip(prob=2)
