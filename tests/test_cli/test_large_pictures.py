"""Very large pictures: Pillow's decompression-bomb guard, quiet and adjustable.

Pillow's limits are lowered for the test (``Image.MAX_IMAGE_PIXELS = 100``: a
warning above 100 pixels, a refusal above 200), so small files stand in for
100-megapixel photos.
"""

import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.cli import cmd_inpaint
from inpaintzoo.cli.input_files import check_readable
from inpaintzoo.cli.main import cli_main
from inpaintzoo.utils.errors import ConfigError, ImageReadError
from inpaintzoo.utils.image_io import read_image
from inpaintzoo.utils.mask_io import read_mask
from inpaintzoo.utils.pixel_limit import MAX_PIXELS_ENV, configured_limit


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 100)
    monkeypatch.delenv(MAX_PIXELS_ENV, raising=False)


def _print_warning(message, category, filename, lineno, file=None, line=None):
    """Python's display of a warning, on stderr (pytest records them instead)."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _grey(path, side: int, value: int = 0):
    Image.fromarray(np.full((side, side), value, np.uint8)).save(path)
    return path


def test_large_picture_is_read_without_pillow_warning(tmp_path, small_limit):
    path = _grey(tmp_path / 'big.png', 12)  # 144 pixels: Pillow would warn
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert read_image(path).shape == (12, 12, 3)
        assert read_mask(path).shape == (12, 12)
        check_readable([path])
    bombs = [
        w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)
    ]
    assert bombs == []


def test_refusal_says_how_to_raise_the_limit(tmp_path, small_limit, monkeypatch):
    path = _grey(tmp_path / 'huge.png', 15)  # 225 pixels: above Pillow's refusal
    with pytest.raises(ImageReadError) as err:
        read_image(path)
    text = str(err.value)
    assert text.startswith(f'refusing to decode {path}: ')
    assert f'set the environment variable {MAX_PIXELS_ENV} to its pixel count' in text
    monkeypatch.setenv(MAX_PIXELS_ENV, '300')
    assert read_image(path).shape == (15, 15, 3)
    monkeypatch.setenv(MAX_PIXELS_ENV, '0')  # no limit
    assert configured_limit() is None
    assert read_image(path).shape == (15, 15, 3)


@pytest.mark.parametrize('value', ['abc', '-5', 'nan', 'inf'])
def test_a_bad_limit_setting_is_one_clear_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv(MAX_PIXELS_ENV, value)
    with pytest.raises(ConfigError, match=f'{MAX_PIXELS_ENV}=.* is not a number'):
        read_image(_grey(tmp_path / 'a.png', 4))


def test_cli_prints_no_warning_lines_for_a_large_picture(
    tmp_path, small_limit, monkeypatch, capsys
):
    photo = _grey(tmp_path / 'big.png', 12, 90)
    mask = np.zeros((12, 12), np.uint8)
    mask[3:6, 3:6] = 255
    Image.fromarray(mask).save(tmp_path / 'm.png')
    monkeypatch.setattr(
        cmd_inpaint,
        'load_inference_api',
        lambda: (lambda *a, **k: 'MODEL', lambda m, img, msk, **o: read_image(img)),
    )
    monkeypatch.setattr(cmd_inpaint, 'note_large_pictures', lambda images: None)
    with warnings.catch_warnings():
        warnings.simplefilter('default')  # as outside pytest: printed on stderr
        warnings.showwarning = _print_warning
        cli_main(['inpaint', '--model', 'cfg.py', str(photo), '--mask',
              str(tmp_path / 'm.png'), '--out', str(tmp_path / 'o'), '--device',
              'cpu'])  # fmt: skip
    err = capsys.readouterr().err
    assert 'DecompressionBomb' not in err
    assert 'warnings.warn' not in err
