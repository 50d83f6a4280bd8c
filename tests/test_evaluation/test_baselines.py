import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest

from inpaintzoo.evaluation import telea_folder, telea_inpaint
from inpaintzoo.evaluation.folder_io import read_mask, read_rgb
from inpaintzoo.utils.errors import InvalidMaskError

REPO = Path(__file__).resolve().parents[2]


def test_telea_fills_hole_and_keeps_known_pixels(data_dir):
    img = read_rgb(data_dir / 'celebahq/test1.png')[:128, :128]
    mask = read_mask(data_dir / 'celebahq/mask1.png', 'black_hole')[:128, :128]
    assert 0 < mask.mean() < 1
    holed = img.copy()
    holed[mask > 0] = 0
    out = telea_inpaint(holed, mask, radius=3)
    assert out.shape == img.shape
    assert out.dtype == np.uint8
    known = mask == 0
    np.testing.assert_array_equal(out[known], holed[known])
    assert out[mask > 0].mean() > 10  # the black hole got filled
    with pytest.raises(InvalidMaskError, match='does not match'):
        telea_inpaint(img, mask[:10])


def test_telea_tool_writes_same_stems(tmp_path, data_dir):
    (tmp_path / 'img').mkdir()
    (tmp_path / 'mask').mkdir()
    img = read_rgb(data_dir / 'places/test1.jpg')[:64, :64]
    cv2.imwrite(str(tmp_path / 'img' / 'x1.jpg'), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(tmp_path / 'img' / 'lonely.png'), img)
    mask = np.full((64, 64), 255, np.uint8)
    mask[20:40, 20:40] = 0  # black_hole: 0 = hole
    cv2.imwrite(str(tmp_path / 'mask' / 'x1.png'), mask)
    spec = importlib.util.spec_from_file_location(
        'telea_tool', REPO / 'tools' / 'analysis' / 'telea_baseline.py'
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    args = [str(tmp_path / d) for d in ('img', 'mask', 'out')]
    assert tool.main([*args, '--mask-convention', 'black_hole']) == 0
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == ['x1.png']
    out = read_rgb(tmp_path / 'out' / 'x1.png')
    src = read_rgb(tmp_path / 'img' / 'x1.jpg')
    assert out.shape == (64, 64, 3)
    np.testing.assert_array_equal(out[:20], src[:20])
    _, unmatched = telea_folder(*args)
    assert unmatched == {'img': ['lonely']}
