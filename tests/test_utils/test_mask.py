"""``binarize_mask`` on the array layouts its docstring promises."""

import numpy as np
import pytest

from inpaintzoo.utils.errors import InvalidMaskError
from inpaintzoo.utils.mask import binarize_mask


def _rgb() -> np.ndarray:
    """(2, 3, 3) uint8: one pixel lit in each colour channel, one white, two black."""
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (200, 0, 0)
    rgb[0, 1] = (0, 7, 0)
    rgb[0, 2] = (0, 0, 1)
    rgb[1, 0] = (255, 255, 255)
    return rgb


EXPECTED = np.array([[1, 1, 1], [1, 0, 0]], np.float32)


def test_rgb_takes_the_maximum_over_the_colour_channels():
    got = binarize_mask(_rgb())
    assert got.dtype == np.float32
    assert got.shape == (2, 3)
    np.testing.assert_array_equal(got, EXPECTED)
    # the same as the grey mask of the channel maximum, for both conventions
    grey = _rgb().max(axis=2)
    for convention in ('white_hole', 'black_hole'):
        np.testing.assert_array_equal(
            binarize_mask(_rgb(), convention), binarize_mask(grey, convention)
        )
    # a threshold applies to that maximum: only values > 7 are holes
    np.testing.assert_array_equal(
        binarize_mask(_rgb(), threshold=7), [[1, 0, 0], [1, 0, 0]]
    )


@pytest.mark.parametrize('alpha', [0, 128, 255])
def test_rgba_ignores_alpha(alpha):
    rgba = np.concatenate([_rgb(), np.full((2, 3, 1), alpha, np.uint8)], axis=2)
    np.testing.assert_array_equal(binarize_mask(rgba), EXPECTED)
    # black_hole: only the colour decides, an opaque alpha of 255 never hides a hole
    np.testing.assert_array_equal(
        binarize_mask(rgba, 'black_hole'), [[1, 1, 1], [0, 1, 1]]
    )


def test_alpha_varying_over_an_all_black_picture_gives_no_hole():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 3] = [[0, 255], [255, 9]]
    np.testing.assert_array_equal(binarize_mask(rgba), np.zeros((2, 2)))


def test_one_channel_and_bool_masks():
    grey = np.array([[0, 3], [255, 0]], np.uint8)
    np.testing.assert_array_equal(binarize_mask(grey[..., None]), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(
        binarize_mask(np.stack([grey > 0] * 3, axis=2)), [[0, 1], [1, 0]]
    )


def test_other_channel_counts_are_refused():
    with pytest.raises(InvalidMaskError, match=r'1, 3 or 4 channels, got shape'):
        binarize_mask(np.zeros((2, 2, 2), np.uint8))
