"""Masks drawn in the alpha channel; plain messages for files that are no image."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.utils.errors import ImageReadError
from inpaintzoo.utils.image_io import image_file_problem, read_image
from inpaintzoo.utils.mask_io import collapse_mask_channels, read_mask, read_mask_values

H, W = 21, 34


def _box() -> np.ndarray:
    """(H, W) bool, True in a box: the hole the user drew."""
    box = np.zeros((H, W), bool)
    box[5:12, 8:20] = True
    return box


def _rgba(path: Path, rgb: np.ndarray, alpha: np.ndarray) -> Path:
    """Write an RGBA PNG from (H, W, 3) colour and (H, W) alpha (uint8)."""
    Image.fromarray(np.dstack([rgb, alpha]).astype(np.uint8), 'RGBA').save(path)
    return path


@pytest.mark.parametrize('colour', [0, 255], ids=['black', 'transparent-white'])
def test_hole_drawn_only_in_alpha_is_read_from_alpha(tmp_path, colour):
    # a brush on a transparent layer: one colour everywhere, the hole is opaque
    box = _box()
    path = _rgba(tmp_path / 'm.png', np.full((H, W, 3), colour), np.where(box, 255, 0))
    assert np.array_equal(read_mask_values(path), np.where(box, 255, 0))
    hole = read_mask(path, 'white_hole', 127)
    assert np.array_equal(hole > 0.5, box)  # neither no hole nor all hole


def test_erased_hole_is_a_hole_with_black_hole_convention(tmp_path):
    # "transparent = hole" masks: the hole was erased from an opaque layer
    box = _box()
    path = _rgba(tmp_path / 'm.png', np.zeros((H, W, 3)), np.where(box, 0, 255))
    assert np.array_equal(read_mask(path, 'black_hole', 127) > 0.5, box)


def test_grey_and_alpha_mask_reads_alpha(tmp_path):
    box = _box()
    la = np.dstack([np.zeros((H, W)), np.where(box, 255, 0)]).astype(np.uint8)
    Image.fromarray(la, 'LA').save(tmp_path / 'la.png')
    assert np.array_equal(read_mask(tmp_path / 'la.png', 'white_hole', 127) > 0, box)


def test_colour_decides_when_it_varies_or_alpha_is_constant(tmp_path):
    box = _box()
    colour = np.repeat(np.where(box, 255, 0)[..., None], 3, axis=2)
    half = np.full((H, W), 255)
    half[:, W // 2 :] = 128  # alpha varies, but so does the visible colour
    for name, alpha in (('opaque', np.full((H, W), 255)), ('half', half)):
        path = _rgba(tmp_path / f'{name}.png', colour, alpha)
        assert np.array_equal(read_mask_values(path), np.where(box, 255, 0)), name


def test_collapse_of_arrays_matches_files():
    box = _box()
    rgba = np.dstack([np.full((H, W, 3), 255), np.where(box, 255, 0)]).astype(np.uint8)
    assert np.array_equal(collapse_mask_channels(rgba), np.where(box, 255, 0))
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[..., 1] = np.where(box, 200, 0)
    assert np.array_equal(collapse_mask_channels(rgb), rgb[..., 1])  # by maximum


def test_empty_text_and_folder_files_are_named_plainly(tmp_path):
    (tmp_path / 'empty.png').write_bytes(b'')
    (tmp_path / 'text.png').write_text('hello\nnot an image\n')
    (tmp_path / 'dir.png').mkdir()
    cases = {
        'empty.png': r'empty\.png is empty \(0 bytes\)',
        'text.png': r'text\.png: not an image file \(it holds text\)',
        'dir.png': r'dir\.png is a folder, not an image file',
    }
    for name, pattern in cases.items():
        for read in (read_image, read_mask_values):
            with pytest.raises(ImageReadError, match=pattern) as err:
                read(tmp_path / name)
            assert '_io.BytesIO' not in str(err.value)
            assert 'not found' not in str(err.value)
        problem = image_file_problem(tmp_path / name)
        assert problem is not None
        assert '_io.BytesIO' not in problem
        assert problem.split(':')[0] in str(err.value)


def test_probe_passes_a_good_file_and_finds_a_truncated_one(tmp_path):
    Image.fromarray(np.zeros((H, W, 3), np.uint8)).save(tmp_path / 'ok.png')
    assert image_file_problem(tmp_path / 'ok.png') is None
    assert 'not found' in image_file_problem(tmp_path / 'nope.png')
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)
    Image.fromarray(noise).save(tmp_path / 'cut.png')
    data = (tmp_path / 'cut.png').read_bytes()
    (tmp_path / 'cut.png').write_bytes(data[: len(data) // 2])
    problem = image_file_problem(tmp_path / 'cut.png')
    assert problem is not None
    assert 'cut.png' in problem
