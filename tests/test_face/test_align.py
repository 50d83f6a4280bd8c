"""Face alignment: similarity fit, round trip, crop warping, the measured template."""

import numpy as np
import pytest

from inpaintzoo.face.align import (
    TEMPLATE_256,
    align_face,
    anchor_points,
    estimate_alignment,
    invert_affine,
    similarity_transform,
    template,
    transform_points,
)
from inpaintzoo.utils.errors import InvalidLandmarksError
from tests.test_face.face_photos import (
    CELEBA_DIR,
    CELEBAHQ_1,
    landmarks,
    need_dlib,
    photo,
)


def _similarity(scale: float, angle_deg: float, tx: float, ty: float) -> np.ndarray:
    a = np.deg2rad(angle_deg)
    rot = scale * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.hstack([rot, [[tx], [ty]]])


def _fake_landmarks(matrix: np.ndarray) -> np.ndarray:
    """68 points whose anchors are the template, moved by ``matrix``."""
    rng = np.random.default_rng(0)
    pts = rng.uniform(60, 200, (68, 2))
    pts[36:42] = TEMPLATE_256[0]
    pts[42:48] = TEMPLATE_256[1]
    pts[48], pts[54] = TEMPLATE_256[2], TEMPLATE_256[3]
    return transform_points(pts, matrix)


def test_similarity_recovers_a_known_transform():
    truth = _similarity(1.7, 12.0, 30.0, -8.0)
    src = np.random.default_rng(1).uniform(0, 100, (6, 2))
    fit = similarity_transform(src, transform_points(src, truth))
    np.testing.assert_allclose(fit, truth, atol=1e-4)
    np.testing.assert_allclose(
        invert_affine(fit) @ np.vstack([fit, [0, 0, 1]]), np.eye(3)[:2], atol=1e-9
    )


def test_rotated_scaled_face_is_brought_to_the_template():
    # a face 2.3x larger, rotated 20 degrees, shifted: its anchors land on the template
    photo_to_face = _similarity(2.3, -20.0, 310.0, 140.0)
    lmk = _fake_landmarks(photo_to_face)
    align = estimate_alignment(lmk, (900, 1200))
    np.testing.assert_allclose(
        align.to_crop(anchor_points(lmk)), TEMPLATE_256, atol=1e-3
    )
    assert align.scale == pytest.approx(1 / 2.3, rel=1e-5)


def test_round_trip_is_identity_on_detected_landmarks():
    need_dlib()
    lmk = landmarks(CELEBAHQ_1)
    crop, align = align_face(photo(CELEBAHQ_1), lmk)
    assert crop.shape == (256, 256, 3)
    assert crop.dtype == np.uint8
    back = align.to_photo(align.to_crop(lmk))
    assert np.abs(back - lmk).max() < 1.0  # within 1 px (in fact ~1e-4)
    # the crop's anchors sit on the template (dlib on the crop finds them again)
    from inpaintzoo.face.detection import detect_faces

    (face,) = detect_faces(crop)
    assert np.abs(anchor_points(face.landmarks) - TEMPLATE_256).max() < 6.0


def test_crop_content_matches_the_photo_under_the_transform():
    # smooth picture: the crop pixel at c equals the photo pixel at inverse(c)
    yy, xx = np.mgrid[0:400, 0:500]
    img = np.stack([xx * 0.5, yy * 0.6, (xx + yy) * 0.25], -1).astype(np.uint8)
    lmk = _fake_landmarks(_similarity(1.2, 5.0, 40.0, 20.0))
    crop, align = align_face(img, lmk, size=128)
    c = np.array([[64.0, 64.0], [30.0, 90.0]])
    p = np.round(align.to_photo(c)).astype(int)
    for (cx, cy), (px, py) in zip(c.astype(int), p, strict=True):
        assert np.abs(crop[cy, cx].astype(int) - img[py, px]).max() <= 2
    assert np.allclose(template(128), TEMPLATE_256 / 2)


def test_large_face_is_shrunk_without_aliasing():
    # a 1-pixel checkerboard averages to grey when shrunk (area), not to moire
    img = ((np.indices((800, 800)).sum(0) % 2) * 255).astype(np.uint8)
    img = np.repeat(img[..., None], 3, 2)
    lmk = _fake_landmarks(_similarity(3.0, 0.0, 10.0, 10.0))
    crop, align = align_face(img, lmk)
    assert align.scale < 0.5
    assert abs(crop[64:192, 64:192].mean() - 127.5) < 3
    assert crop[64:192, 64:192].std() < 20


def test_bad_landmarks_are_rejected():
    with pytest.raises(InvalidLandmarksError, match=r'\(68, 2\)'):
        anchor_points(np.zeros((5, 2)))
    with pytest.raises(InvalidLandmarksError, match='coincide'):
        estimate_alignment(np.zeros((68, 2)), (10, 10))


def test_template_is_the_mean_of_dlib_on_the_aligned_celeba_faces():
    need_dlib()
    anchors = [anchor_points(landmarks(p)) for p in sorted(CELEBA_DIR.glob('*.png'))]
    assert len(anchors) == 4
    np.testing.assert_allclose(np.mean(anchors, axis=0), TEMPLATE_256, atol=0.06)
