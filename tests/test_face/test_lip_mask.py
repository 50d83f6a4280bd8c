"""Auto lip mask and feathered paste-back."""

import numpy as np
import pytest

from inpaintzoo.face.align import align_face, estimate_alignment
from inpaintzoo.face.lip_mask import auto_mask, lip_mask
from inpaintzoo.face.paste_back import (
    feather_alpha,
    mask_to_crop,
    mask_to_photo,
    paste_back,
)
from inpaintzoo.utils.errors import ConfigError
from tests.test_face.face_photos import (
    CELEBA_00000,
    CELEBAHQ_1,
    landmarks,
    need_dlib,
    photo,
)


def _inside(mask: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Whether the mask is a hole at each (x, y) point (rounded)."""
    xy = np.round(points).astype(int)
    return mask[xy[:, 1], xy[:, 0]] > 0


@pytest.mark.parametrize('path', [CELEBA_00000, CELEBAHQ_1])
def test_mask_covers_upper_lip_and_nostrils_not_the_eyes(path):
    need_dlib()
    lmk = landmarks(path)
    _, align = align_face(photo(path), lmk)
    pts = align.to_crop(lmk)
    mask = lip_mask(pts, 256, margin=8)
    assert mask.shape == (256, 256)
    assert set(np.unique(mask)) == {0, 255}
    assert _inside(mask, pts[31:36]).all()  # nostril wings, columella base
    assert _inside(mask, pts[48:55]).all()  # upper outer lip
    assert _inside(mask, pts[60:65]).all()  # upper inner lip
    # the nostril openings: halfway between the nose base and the tip
    assert _inside(mask, (pts[31:36] * 3 + pts[30]) / 4).all()
    assert not _inside(mask, pts[36:48]).any()  # eyes
    assert not _inside(mask, pts[17:27]).any()  # brows
    assert not _inside(mask, pts[27:29]).any()  # upper nose bridge
    assert not _inside(mask, pts[7:10]).any()  # chin
    assert 0.01 < (mask > 0).mean() < 0.08  # a lip-sized hole, not half the face


def test_margin_grows_the_mask_by_that_many_pixels():
    need_dlib()
    lmk = landmarks(CELEBA_00000)
    _, align = align_face(photo(CELEBA_00000), lmk)
    pts = align.to_crop(lmk)
    bare, grown = lip_mask(pts, 256, 0), lip_mask(pts, 256, 10)
    assert (grown >= bare).all()
    rows_bare = np.flatnonzero(bare.any(axis=1))
    rows_grown = np.flatnonzero(grown.any(axis=1))
    assert rows_bare[0] - rows_grown[0] == pytest.approx(10, abs=1)
    assert rows_grown[-1] - rows_bare[-1] == pytest.approx(10, abs=1)
    with pytest.raises(ConfigError, match='margin'):
        lip_mask(pts, 256, -1)
    with pytest.raises(ConfigError, match="'lip'"):
        auto_mask('eyes', pts, 256)


def _synthetic_case(feather: float):
    """A photo, a crop result that differs everywhere, a hole, an alignment."""
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    lmk = rng.uniform(100, 200, (68, 2))
    lmk[36:42], lmk[42:48] = (150, 120), (230, 122)
    lmk[48], lmk[54] = (160, 200), (225, 198)
    align = estimate_alignment(lmk, img.shape[:2])
    crop_hole = np.zeros((256, 256), np.uint8)
    crop_hole[150:200, 90:170] = 255
    crop_result = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)
    hole = mask_to_photo(crop_hole, align)
    out = paste_back(img, crop_result, hole, align, feather=feather)
    return img, hole, out, align


def test_paste_back_leaves_pixels_beyond_mask_and_feather_byte_identical():
    img, hole, out, _ = _synthetic_case(feather=6)
    assert out.dtype == np.uint8
    assert out.shape == img.shape
    alpha = feather_alpha(hole, 6)
    touched = alpha > 0
    assert np.array_equal(out[~touched], img[~touched])
    # the documented contract: every pixel farther than the feather width (exact
    # Euclidean distance to the nearest hole pixel) keeps its original bytes
    from scipy.ndimage import distance_transform_edt

    dist = distance_transform_edt(hole == 0)
    assert dist[touched].max() < 6
    assert np.array_equal(out[dist >= 6], img[dist >= 6])
    # inside the hole the crop result replaced the photo
    assert (out[hole > 0] != img[hole > 0]).any(axis=-1).mean() > 0.9
    # the seam is a blend: alpha strictly between 0 and 1 right outside the hole
    ring = (dist > 0) & (dist < 6)
    assert ((alpha[ring] > 0) & (alpha[ring] < 1)).all()


def test_hard_paste_back_changes_only_the_hole():
    img, hole, out, _ = _synthetic_case(feather=0)
    assert np.array_equal(out[hole == 0], img[hole == 0])


def test_masks_move_between_photo_and_crop():
    _, hole, _, align = _synthetic_case(feather=0)
    crop_hole = mask_to_crop(hole, align)
    # every crop pixel reached by the photo hole is a hole (superset of the box)
    assert (crop_hole[152:198, 92:168] > 0).all()
    assert not (crop_hole[:140] > 0).any()
