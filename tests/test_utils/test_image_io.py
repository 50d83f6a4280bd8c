"""The shared image/mask reader: orientation, integrity, modes, 0/1 masks."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFile

from inpaintzoo.datasets.transforms import LoadImage, LoadMask
from inpaintzoo.datasets.transforms import functional as transforms_functional
from inpaintzoo.evaluation import folder_io
from inpaintzoo.utils.errors import ImageReadError
from inpaintzoo.utils.image_io import read_image
from inpaintzoo.utils.mask_io import read_mask, read_mask_values


def _jpeg_bytes(
    arr: np.ndarray, orientation: int | None = None, quality: int = 95
) -> bytes:
    img = Image.fromarray(arr)
    buf = io.BytesIO()
    if orientation is None:
        img.save(buf, 'JPEG', quality=quality)
    else:
        exif = img.getexif()
        exif[274] = orientation  # EXIF Orientation tag
        img.save(buf, 'JPEG', quality=quality, exif=exif)
    return buf.getvalue()


def _stripes(height: int = 16, width: int = 24) -> np.ndarray:
    arr = np.zeros((height, width, 3), np.uint8)
    arr[:, : width // 2] = 255
    return arr


def test_exif_orientation_is_ignored_by_every_path(tmp_path):
    path = tmp_path / 'rotated.jpg'
    path.write_bytes(_jpeg_bytes(_stripes(), orientation=6))  # "rotate 90"
    raw = np.asarray(Image.open(path))  # Pillow / imageio: stored pixels
    assert cv2.imread(str(path)).shape[:2] == (24, 16)  # cv2 would rotate
    for reader in (read_image, folder_io.read_rgb, transforms_functional.read_image):
        np.testing.assert_array_equal(reader(path), raw)
    loaded = LoadImage().transform({'img_path': str(path)})['img']
    np.testing.assert_array_equal(loaded, raw)
    assert read_mask(path).shape == (16, 24)
    mask = LoadMask().transform({'mask_path': str(path)})['mask']
    assert mask.shape == (16, 24)


@pytest.mark.parametrize('cut', [-2, -200, 300])
def test_truncated_jpeg_is_refused(tmp_path, cut):
    rng = np.random.default_rng(0)
    # this file, cut before its EOI marker, is one Pillow decodes without error
    data = _jpeg_bytes(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), quality=90)
    path = tmp_path / 'cut.jpg'
    path.write_bytes(data[:cut])
    if cut < 0:
        assert cv2.imread(str(path)) is not None  # cv2 decodes (and scores) it
    if cut == -2:
        Image.open(path).load()  # so only the EOI check catches it
    with pytest.raises(ImageReadError, match=r'cut\.jpg.*(truncated|corrupt)'):
        read_image(path)
    with pytest.raises(ImageReadError, match=r'cut\.jpg'):
        folder_io.read_mask(path)
    path.write_bytes(data)
    assert read_image(path).shape == (64, 64, 3)


def test_truncated_png_refused_even_if_pillow_told_to_load_them(tmp_path):
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(buf, 'PNG')
    path = tmp_path / 'cut.png'
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # e.g. set by another library
    try:
        with pytest.raises(ImageReadError, match=r'cut\.png'):
            read_image(path)
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_missing_and_non_image_files(tmp_path):
    with pytest.raises(ImageReadError, match=r'nope\.png'):
        read_image(tmp_path / 'nope.png')
    (tmp_path / 'text.png').write_text('hello')
    with pytest.raises(ImageReadError, match=r'text\.png'):
        read_image(tmp_path / 'text.png')


def test_modes_grey_alpha_palette_bilevel(tmp_path):
    grey = np.arange(48, dtype=np.uint8).reshape(6, 8)
    Image.fromarray(grey).convert('LA').save(tmp_path / 'la.png')
    out = read_image(tmp_path / 'la.png')
    assert out.shape == (6, 8, 3)
    assert all((out[..., c] == grey).all() for c in range(3))
    rgba = np.full((5, 5, 4), 9, np.uint8)
    rgba[..., 3] = 0  # fully transparent: alpha dropped, colour kept
    Image.fromarray(rgba).save(tmp_path / 'rgba.png')
    assert (read_image(tmp_path / 'rgba.png') == 9).all()
    rgb = _stripes(8, 8)
    Image.fromarray(rgb).convert('P').save(tmp_path / 'p.png')
    np.testing.assert_array_equal(read_image(tmp_path / 'p.png'), rgb)
    Image.fromarray(rgb[..., 0]).convert('1').save(tmp_path / 'bw.png')
    np.testing.assert_array_equal(read_mask(tmp_path / 'bw.png'), rgb[..., 0] / 255)


def test_sixteen_bit_keeps_high_byte_like_pillow_rgb(tmp_path):
    values = np.array([[0, 255, 256, 65535]], np.uint16)
    cv2.imwrite(str(tmp_path / 'g16.png'), values)
    cv2.imwrite(str(tmp_path / 'c16.png'), np.repeat(values[..., None], 3, axis=2))
    grey = read_image(tmp_path / 'g16.png', min_size=1)
    colour = read_image(tmp_path / 'c16.png')
    assert grey[0, :, 0].tolist() == [0, 0, 1, 255]
    np.testing.assert_array_equal(grey, colour)  # grey and RGB 16-bit agree


def test_float_images_refused(tmp_path):
    Image.fromarray(np.zeros((4, 4), np.float32)).save(tmp_path / 'f.tif')
    with pytest.raises(ImageReadError, match=r'f\.tif.*floating-point'):
        read_image(tmp_path / 'f.tif')


def test_min_size_names_file_and_size(tmp_path):
    Image.fromarray(np.zeros((5, 6, 3), np.uint8)).save(tmp_path / 'tiny.png')
    assert read_image(tmp_path / 'tiny.png').shape == (5, 6, 3)
    with pytest.raises(ImageReadError, match=r'tiny\.png is 6x5 .*7x7'):
        read_image(tmp_path / 'tiny.png', min_size=7)


@pytest.mark.parametrize('bits', [8, 16])
def test_zero_one_mask_files(tmp_path, bits):
    hole = np.zeros((8, 8), np.uint8)
    hole[:2] = 1  # 25 % hole
    dtype = np.uint8 if bits == 8 else np.uint16
    cv2.imwrite(str(tmp_path / 'white.png'), hole.astype(dtype))  # 1 = hole
    cv2.imwrite(str(tmp_path / 'black.png'), (1 - hole).astype(dtype))  # 1 = known
    assert read_mask_values(tmp_path / 'white.png').max() == 255
    np.testing.assert_array_equal(read_mask(tmp_path / 'white.png'), hole)
    # NCLG-style threshold 100 must not turn a 0/1 file into "no hole"
    np.testing.assert_array_equal(
        read_mask(tmp_path / 'white.png', threshold=100), hole
    )
    # black_hole: 1 is white = known, so only the 0 pixels are holes
    black = read_mask(tmp_path / 'black.png', 'black_hole')
    np.testing.assert_array_equal(black, hole)
    loaded = LoadMask(convention='black_hole').transform(
        {'mask_path': str(tmp_path / 'black.png')}
    )
    np.testing.assert_array_equal(loaded['mask'], hole)
    assert loaded['mask_bucket'] == '20-40%'


def test_zero_255_masks_unchanged(data_dir):
    path = data_dir / 'celebahq' / 'mask2.png'  # L, 0/255, 255 = known
    raw = np.asarray(Image.open(path))
    np.testing.assert_array_equal(
        read_mask(path, 'black_hole'), (raw < 255).astype(np.float32)
    )


def test_reading_from_threads_leaves_pillow_and_warnings_as_they_were(
    tmp_path, monkeypatch
):
    """Concurrent reads (the browser app serves requests on threads) each save,
    change and restore the warnings filters and ImageFile.LOAD_TRUNCATED_IMAGES;
    interleaved, that left a filter and the flag changed for good."""
    import threading
    import warnings

    path = tmp_path / 'a.png'
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path)
    monkeypatch.setattr(ImageFile, 'LOAD_TRUNCATED_IMAGES', True)  # a user's choice
    with warnings.catch_warnings():  # the test's own snapshot, restored after it
        before = list(warnings.filters)

        def work() -> None:
            for _ in range(200):
                read_image(path)

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert warnings.filters == before
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
