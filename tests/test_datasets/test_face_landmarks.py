"""68-point layout, flip pairs and the one-line landmark files."""

import numpy as np
import pytest

from inpaintzoo.datasets import face_landmarks as fl
from inpaintzoo.datasets.face_landmarks import (
    FLIP_PAIRS_68,
    LEFT_EYE,
    RIGHT_EYE,
    flip_permutation,
    inter_ocular_distance,
    read_landmarks,
    write_landmarks,
)
from inpaintzoo.datasets.transforms import RandomHorizontalFlip
from inpaintzoo.utils.errors import DataNotFoundError, InvalidLandmarksError
from tests.test_datasets.landmark_helpers import face68


def test_groups_cover_the_68_points_once():
    groups = [fl.JAW, fl.RIGHT_BROW, fl.LEFT_BROW, fl.NOSE, RIGHT_EYE, LEFT_EYE]
    groups += [fl.OUTER_LIP, fl.INNER_LIP]
    assert sorted(i for g in groups for i in g) == list(range(68))
    assert (RIGHT_EYE[0], LEFT_EYE[-3]) == fl.OUTER_EYE_CORNERS == (36, 45)
    assert set(fl.GROUPS_68.values()) == set(groups)


def test_flip_pairs_are_disjoint_and_leave_the_midline():
    flat = [i for pair in FLIP_PAIRS_68 for i in pair]
    assert len(flat) == len(set(flat)) == 58
    assert set(range(68)) - set(flat) == {8, 27, 28, 29, 30, 33, 51, 57, 62, 66}
    # a hand-picked subset, checked against the iBUG-300W chart
    for pair in [(0, 16), (17, 26), (31, 35), (36, 45), (39, 42), (48, 54), (60, 64)]:
        assert pair in FLIP_PAIRS_68


def test_flip_permutation_twice_is_identity():
    perm = flip_permutation(FLIP_PAIRS_68, 68)
    np.testing.assert_array_equal(perm[perm], np.arange(68))
    assert sorted(perm.tolist()) == list(range(68))


def _centred_face() -> np.ndarray:
    """:func:`face68` moved to be symmetric about x = 128, the middle of a 256-wide
    image in the pixel-corner convention of the flip (``x -> 256 - x``)."""
    return face68() + np.array([0.5, 0.0], np.float32)


def _flip(pts: np.ndarray, width: int = 256) -> np.ndarray:
    img = np.zeros((width, width, 3), np.uint8)
    res = dict(img=img, landmarks=pts.copy())
    return RandomHorizontalFlip(prob=1.0, flip_pairs='face68').transform(res)[
        'landmarks'
    ]


def test_flip_twice_is_identity_on_any_points():
    # quarter pixels: 256 - x is exact in float32, so the round trip is bit-exact
    pts = np.random.default_rng(0).integers(0, 1020, (68, 2)).astype(np.float32) / 4
    np.testing.assert_array_equal(_flip(_flip(pts)), pts)


def test_symmetric_face_is_unchanged_by_a_flip():
    face = _centred_face()
    # the mirrored face with swapped indices is the same face: every pair is right
    np.testing.assert_allclose(_flip(face), face, atol=1e-4)


def test_flipped_left_eye_lands_where_the_right_eye_was():
    rng = np.random.default_rng(1)
    face = _centred_face() + rng.uniform(-3, 3, (68, 2)).astype(np.float32)
    out = _flip(face)  # asymmetric face
    # the subject's left eye, mirrored (x -> 256 - x), is now on the image's left:
    # it is stored under RIGHT_EYE, outer corner 45 -> 36, inner corner 42 -> 39
    np.testing.assert_allclose(out[36], [256 - face[45, 0], face[45, 1]])
    np.testing.assert_allclose(out[39], [256 - face[42, 0], face[42, 1]])
    assert out[list(RIGHT_EYE), 0].mean() < 128 < out[list(LEFT_EYE), 0].mean()
    # and the right eye is now the left eye
    np.testing.assert_allclose(out[45], [256 - face[36, 0], face[36, 1]])


def test_write_read_round_trip(tmp_path):
    pts = face68() + np.float32(1 / 3)  # not exactly representable in decimal
    path = write_landmarks(tmp_path / 'sub' / 'a.txt', pts)
    text = path.read_text()
    assert text.endswith('\n')
    assert text.count('\n') == 1
    assert len(text.split()) == 136
    back = read_landmarks(path)
    assert back.dtype == np.float32
    assert back.shape == (68, 2)
    np.testing.assert_array_equal(back, pts)
    assert text.split()[:2] == [repr(float(pts[0, 0])), repr(float(pts[0, 1]))]


def test_read_accepts_the_official_136_number_line(tmp_path):
    path = tmp_path / 'b.txt'
    path.write_text(' '.join(str(v) for v in range(136)))  # ints, no newline
    pts = read_landmarks(path)
    np.testing.assert_array_equal(pts[1], [2, 3])  # x1 y1
    np.testing.assert_array_equal(pts[67], [134, 135])


@pytest.mark.parametrize(
    ('content', 'match'),
    [
        (' '.join(['1'] * 135), 'expected 136 numbers.*got 135'),
        (' '.join(['1'] * 134 + ['x1', '2']), "token 134 'x1' is not a number"),
        (' '.join(['1'] * 135 + ['nan']), 'non-finite.*point 67 y'),
        ('', 'got 0'),
    ],
)
def test_bad_files_name_the_file(tmp_path, content, match):
    path = tmp_path / 'bad.txt'
    path.write_text(content)
    with pytest.raises(InvalidLandmarksError, match=match) as err:
        read_landmarks(path)
    assert str(path) in str(err.value)


def test_missing_file_and_bad_write(tmp_path):
    with pytest.raises(DataNotFoundError, match=r'nope\.txt does not exist'):
        read_landmarks(tmp_path / 'nope.txt')
    with pytest.raises(InvalidLandmarksError, match=r'out\.txt.*got 4'):
        write_landmarks(tmp_path / 'out.txt', np.zeros((2, 2)))
    assert not (tmp_path / 'out.txt').exists()


def test_inter_ocular_distances_by_hand():
    face = face68()
    assert inter_ocular_distance(face) == pytest.approx(180 - 75)  # points 36, 45
    # eye centres: x (75+83+97+105+97+83)/6 = 90 and 990/6 = 165, same y
    assert inter_ocular_distance(face, 'pupils') == pytest.approx(75)
    with pytest.raises(ValueError, match='outer_corners'):
        inter_ocular_distance(face, 'iris')
