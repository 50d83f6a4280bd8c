"""EXIF orientation: ignored by default (datasets), applied with ``exif``."""

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.image_io import file_exif_orientation, read_image
from inpaintzoo.utils.mask_io import read_mask, read_mask_values

#: stored (H, W, ...) array -> the picture as shown, per EXIF orientation value
#: (TIFF/EXIF spec: 2 mirrored, 3 turned 180, 4 flipped, 5 transposed, 6 turned 90
#: clockwise, 7 transversed, 8 turned 90 anticlockwise)
SHOWN = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: np.swapaxes(a, 0, 1),
    6: lambda a: np.rot90(a, k=-1),
    7: lambda a: np.swapaxes(a[::-1, ::-1], 0, 1),
    8: lambda a: np.rot90(a, k=1),
}


def save_with_orientation(path, array: np.ndarray, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(array).save(path, exif=exif)


def asymmetric_rgb() -> np.ndarray:
    """(5, 7, 3): every pixel different, so any wrong turn or mirror shows."""
    return np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)


@pytest.mark.parametrize('orientation', range(1, 9))
def test_each_orientation_is_turned_as_shown(tmp_path, orientation):
    stored = asymmetric_rgb()
    path = tmp_path / f'o{orientation}.png'
    save_with_orientation(path, stored, orientation)
    assert file_exif_orientation(path) == orientation
    assert np.array_equal(read_image(path), stored)  # default: as stored
    shown = read_image(path, orientation='exif')
    assert np.array_equal(shown, SHOWN[orientation](stored))


def test_masks_are_turned_too(tmp_path):
    stored = np.zeros((4, 6), np.uint8)
    stored[0, :2] = 255  # top-left corner
    path = tmp_path / 'mask.png'
    save_with_orientation(path, stored, 6)
    values = read_mask_values(path, 'exif')
    assert values.shape == (6, 4)
    assert np.array_equal(values, np.rot90(stored, k=-1))
    assert np.array_equal(read_mask(path, orientation='exif'), values / 255)
    assert np.array_equal(read_mask_values(path), stored)


def test_sixteen_bit_and_jpeg_files(tmp_path):
    grey16 = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000).astype(np.uint16)
    png = tmp_path / 'g16.png'
    save_with_orientation(png, grey16, 8)
    assert np.array_equal(
        read_mask_values(png, 'exif'), np.rot90(grey16 >> 8, k=1).astype(np.uint8)
    )
    jpg = tmp_path / 'photo.jpg'
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.full((16, 24, 3), 90, np.uint8)).save(jpg, exif=exif)
    assert read_image(jpg).shape == (16, 24, 3)
    assert read_image(jpg, orientation='exif').shape == (24, 16, 3)


def test_no_tag_or_unknown_word(tmp_path):
    path = tmp_path / 'plain.png'
    Image.fromarray(asymmetric_rgb()).save(path)
    assert file_exif_orientation(path) == 1
    assert np.array_equal(read_image(path, orientation='exif'), asymmetric_rgb())
    with pytest.raises(ConfigError, match='orientation'):
        read_image(path, orientation='upright')
