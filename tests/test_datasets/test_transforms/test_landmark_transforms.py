"""Landmarks through LoadLandmarks and the geometric transforms, hand-computed."""

import numpy as np
import pytest
import torch

from inpaintzoo.datasets.face_landmarks import write_landmarks
from inpaintzoo.datasets.transforms import (
    CenterCropResize,
    LoadLandmarks,
    PackInpaintInputs,
    RandomCrop,
    RandomHorizontalFlip,
)
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError, InvalidLandmarksError
from tests.test_datasets.landmark_helpers import face68


def _celeba(points: list[list[float]]) -> dict:
    """An aligned CelebA-sized results dict: 218 rows x 178 columns."""
    pts = np.zeros((68, 2), np.float32)
    pts[: len(points)] = points
    return dict(img=np.zeros((218, 178, 3), np.uint8), landmarks=pts)


# CelebA 178x218 -> side 178, top = (218 - 178) // 2 = 20, left = 0,
# scale 256 / 178 = 1.438202...
CELEBA_POINTS = [[10.0, 30.0], [89.0, 109.0], [0.0, 10.0], [177.0, 237.0]]
#   (10, 30)   -> (14.382, 14.382)            official: (14, 14)
#   (89, 109)  -> (128.0, 128.0)              official: (128, 128)
#   (0, 10)    -> (0, -14.382)                official: (0, 0)   (clamped)
#   (177, 237) -> (254.562, 312.090)          official: (255, 255) (255.06 -> 255,
#                                                                   312 clamped)
FLOAT_EXPECTED = [
    [10 * 256 / 178, 10 * 256 / 178],
    [128.0, 128.0],
    [0.0, -10 * 256 / 178],
    [177 * 256 / 178, 217 * 256 / 178],
]
OFFICIAL_EXPECTED = [[14, 14], [128, 128], [0, 0], [255, 255]]


def test_center_crop_resize_shifts_then_scales_celeba_landmarks():
    out = CenterCropResize(256).transform(_celeba(CELEBA_POINTS))
    assert out['landmarks'].dtype == np.float32
    np.testing.assert_allclose(out['landmarks'][:4], FLOAT_EXPECTED, rtol=1e-6)


def test_center_crop_resize_official_rounding_and_clamp():
    out = CenterCropResize(256, landmark_rounding='official').transform(
        _celeba(CELEBA_POINTS)
    )
    np.testing.assert_array_equal(out['landmarks'][:4], OFFICIAL_EXPECTED)
    assert out['landmarks'].dtype == np.float32
    # round half up: 0.5 px before scaling by 1 stays .5 -> goes up
    half = CenterCropResize(4, landmark_rounding='official').transform(
        dict(img=np.zeros((4, 6, 3), np.uint8), landmarks=[[2.5, 1.5], [3.5, 0.49]])
    )
    # left = 1: (1.5, 1.5) -> (2, 2); (2.5, 0.49) -> (3, 0), not banker's 2
    np.testing.assert_array_equal(half['landmarks'], [[2, 2], [3, 0]])


def test_center_crop_resize_non_square_output_scales_each_axis():
    out = CenterCropResize((10, 20)).transform(
        dict(img=np.zeros((40, 60, 3), np.uint8), landmarks=[[30.0, 20.0]])
    )
    # side 40, left 10: x (30 - 10) * 20 / 40 = 10, y 20 * 10 / 40 = 5
    np.testing.assert_allclose(out['landmarks'], [[10, 5]])


def test_center_crop_resize_rejects_unknown_rounding():
    with pytest.raises(ConfigError, match='landmark_rounding'):
        CenterCropResize(256, landmark_rounding='round')


def test_random_crop_shifts_landmarks_by_the_drawn_offsets(monkeypatch):
    draws = iter([3, 5])  # top, then left
    monkeypatch.setattr(np.random, 'randint', lambda low, high: next(draws))
    res = dict(
        img=np.zeros((20, 30, 3), np.uint8),
        landmarks=np.array([[7.5, 4.0], [5.0, 3.0]], np.float64),
    )
    out = RandomCrop((10, 12)).transform(res)
    np.testing.assert_array_equal(out['landmarks'], [[2.5, 1.0], [0.0, 0.0]])
    assert out['landmarks'].dtype == np.float32


def test_flip_moves_x_and_swaps_face68_pairs():
    pts = face68()
    pts[36] = [70.0, 111.0]  # right eye outer corner, off its symmetric spot
    res = dict(img=np.zeros((256, 256, 3), np.uint8), landmarks=pts.copy())
    out = RandomHorizontalFlip(prob=1.0, flip_pairs='face68').transform(res)
    # old point 36 (70, 111) -> x = 256 - 70 = 186 (W - x), stored at its partner 45
    np.testing.assert_array_equal(out['landmarks'][45], [186, 111])
    # old point 45 (180, 110) -> (76, 110) at index 36
    np.testing.assert_array_equal(out['landmarks'][36], [76, 110])
    # midline points keep their index: nose tip 30 (127.5, 144)
    np.testing.assert_array_equal(out['landmarks'][30], [128.5, 144])
    assert 'face68' in repr(RandomHorizontalFlip(flip_pairs='face68'))


def test_flip_without_pairs_keeps_indices_and_bad_names():
    pts = face68()
    res = dict(img=np.zeros((256, 256, 3), np.uint8), landmarks=pts.copy())
    out = RandomHorizontalFlip(prob=1.0).transform(res)
    np.testing.assert_array_equal(out['landmarks'][36], [256 - 75, 110])
    with pytest.raises(ConfigError, match="unknown flip_pairs 'face5'"):
        RandomHorizontalFlip(flip_pairs='face5')
    few = dict(img=np.zeros((8, 8, 3), np.uint8), landmarks=np.zeros((5, 2)))
    with pytest.raises(ConfigError, match='have 5 points'):
        RandomHorizontalFlip(prob=1.0, flip_pairs='face68').transform(few)


def test_flip_built_from_a_config_by_name():
    flip = TRANSFORMS.build(dict(type='RandomHorizontalFlip', flip_pairs='face68'))
    assert (36, 45) in flip.flip_pairs


def _flip_all(res: dict) -> dict:
    return RandomHorizontalFlip(prob=1.0, flip_pairs='face68').transform(res)


def test_flip_and_crop_resize_commute_for_landmarks():
    """Both transforms use pixel corners: the order of flip and resize is free."""
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (100, 140, 3), dtype=np.uint8)  # side 100, left 20
    pts = rng.uniform(0, 140, (68, 2)).astype(np.float32)
    pts[:, 1] *= 100 / 140
    pts[[8, 27]] = [[70.0, 50.0], [20.0, 3.0]]  # the centre line, the crop's left edge
    resize = CenterCropResize(64)
    a = _flip_all(resize.transform(dict(img=img.copy(), landmarks=pts.copy())))
    b = resize.transform(_flip_all(dict(img=img.copy(), landmarks=pts.copy())))
    np.testing.assert_array_equal(a['img'], b['img'])
    np.testing.assert_allclose(a['landmarks'], b['landmarks'], atol=1e-4)
    # the centre line stays the centre line; the left edge becomes the right edge
    np.testing.assert_allclose(a['landmarks'][[8, 27], 0], [32.0, 64.0], atol=1e-4)


@pytest.mark.parametrize('flip_first', [False, True])
def test_landmark_follows_a_bright_dot_through_resize_and_flip(flip_first):
    img = np.zeros((128, 128, 3), np.uint8)
    img[20:22, 100:102] = 255  # a 2x2 dot: its centre is the corner (101, 21)
    pts = np.zeros((68, 2), np.float32)
    pts[8] = [101.0, 21.0]  # a midline point: keeps its index through the flip
    res = dict(img=img, landmarks=pts)
    steps = [CenterCropResize(64), RandomHorizontalFlip(prob=1.0, flip_pairs='face68')]
    for step in steps[::-1] if flip_first else steps:
        res = step.transform(res)
    lum = res['img'][..., 0].astype(np.float64)
    rows, cols = np.nonzero(lum)
    weights = lum[rows, cols]
    # centroid of the dot in corner coordinates (pixel i covers [i, i + 1))
    centre = [(cols * weights).sum(), (rows * weights).sum()] / weights.sum() + 0.5
    np.testing.assert_allclose(centre, [64 - 50.5, 10.5], atol=1e-6)
    np.testing.assert_allclose(res['landmarks'][8], centre, atol=1e-4)


def test_load_landmarks(tmp_path):
    path = write_landmarks(tmp_path / 'a.txt', face68())
    out = LoadLandmarks().transform({'landmark_path': str(path)})
    np.testing.assert_array_equal(out['landmarks'], face68())
    with pytest.raises(ConfigError, match='landmark_source'):
        LoadLandmarks().transform({'img_path': 'x.png'})
    (tmp_path / 'b.txt').write_text('1 2 3')
    with pytest.raises(InvalidLandmarksError, match=r'b\.txt'):
        LoadLandmarks().transform({'landmark_path': str(tmp_path / 'b.txt')})


def test_pack_puts_gt_landmarks_on_the_sample():
    res = dict(
        img=np.zeros((4, 4, 3), np.uint8),
        mask=np.zeros((4, 4), np.float32),
        landmarks=face68(),
        landmark_path='lm/a.txt',
    )
    out = PackInpaintInputs().transform(res)
    sample = out['data_samples']
    assert torch.equal(sample.landmarks, out['inputs']['landmarks'])
    assert sample.landmarks.shape == (68, 2)
    assert sample.landmarks.data_ptr() != out['inputs']['landmarks'].data_ptr()
    assert sample.metainfo['landmark_path'] == 'lm/a.txt'
    # without landmarks nothing is added
    del res['landmarks'], res['landmark_path']
    plain = PackInpaintInputs().transform(res)['data_samples']
    assert 'landmarks' not in plain
    assert 'landmark_path' not in plain.metainfo
