"""init_model / inpaint / `inpaintzoo inpaint` on a fixed-input-size model (NCLG-MT)."""

import logging

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from inpaintzoo.apis import InpaintResult, init_model, inpaint
from inpaintzoo.apis.fixed_size import (
    FixedSizeForward,
    fixed_input_size,
    split_generator_output,
)
from tests.test_apis.tiny_nclg import write_tiny_nclg

SIDE = 64  # the tiny model's fixed input size
H, W = 101, 151  # odd, not square, larger than the model


@pytest.fixture(scope='module', params=['NCLGInpaintor', 'BaseInpaintor'])
def files(tmp_path_factory, request):
    # NCLGInpaintor: landmarks from generate_multi; BaseInpaintor: generate
    # returns the generator's (image, landmarks) tuple
    return write_tiny_nclg(tmp_path_factory.mktemp('nclg'), SIDE, 0, request.param)


@pytest.fixture(scope='module')
def model(files):
    config, ckpt = files
    return init_model(str(config), str(ckpt), device='cpu')


def _picture(h: int, w: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    hole = np.zeros((h, w), np.uint8)
    hole[h // 3 : h // 2, w // 4 : w // 2] = 255
    return img, hole


def test_fixed_input_size_is_read_from_the_generator(model):
    assert fixed_input_size(model) == SIDE
    assert fixed_input_size(torch.nn.Conv2d(1, 1, 1)) is None


def test_any_picture_size_is_resized_and_composited_back(model, caplog):
    img, hole = _picture(H, W)
    with caplog.at_level(logging.INFO, logger='inpaintzoo.apis.inference'):
        res = inpaint(model, img, hole, return_raw=True)
    assert isinstance(res, InpaintResult)
    assert res.composite.shape == (H, W, 3)
    known = hole == 0
    assert np.array_equal(res.composite[known], img[known])  # only the hole changes
    assert not np.array_equal(res.composite[~known], img[~known])
    assert f'resized {W}x{H} -> {SIDE}x{SIDE}' in res.note
    assert res.note in caplog.text
    # landmarks: the network's (N, 136) fractions of 64, scaled to the picture
    assert res.landmarks.shape == (68, 2)
    assert res.landmarks.dtype == np.float32
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
    m = torch.from_numpy(hole > 127).float()[None, None]
    x = torch.where(m > 0.5, torch.zeros_like(x), x)
    small = F.interpolate(x, size=(SIDE, SIDE), mode='bilinear', antialias=True)
    small_m = (F.interpolate(m, size=(SIDE, SIDE), mode='area') > 0).float()
    with torch.no_grad():
        out = model.generator(small.clamp(0, 1), small_m)
    want = out.landmarks.reshape(68, 2).numpy() * SIDE * np.array([W / SIDE, H / SIDE])
    np.testing.assert_allclose(res.landmarks, want, rtol=1e-4, atol=1e-3)
    # the composite alone (default return) is the same picture
    assert np.array_equal(inpaint(model, img, hole), res.composite)


def test_exact_size_runs_without_resizing(model):
    img, hole = _picture(SIDE, SIDE, seed=1)
    res = inpaint(model, img, hole, return_raw=True)
    assert res.note == ''
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
    m = torch.from_numpy(hole > 127).float()[None, None]
    with torch.no_grad():
        out = model.generator(x, m)
    np.testing.assert_allclose(
        res.landmarks, out.landmarks.reshape(68, 2).numpy() * SIDE, rtol=1e-4, atol=1e-2
    )


def test_smaller_picture_is_upscaled(model):
    img, hole = _picture(40, 30, seed=2)
    res = inpaint(model, img, hole, return_raw=True)
    assert res.composite.shape == (40, 30, 3)
    assert np.array_equal(res.composite[hole == 0], img[hole == 0])
    assert 'resized 30x40 -> 64x64' in res.note


def test_tiled_strategies_work_but_report_no_landmarks(model):
    img, hole = _picture(H, W, seed=3)
    res = inpaint(model, img, hole, strategy='crop', return_raw=True)
    assert np.array_equal(res.composite[hole == 0], img[hole == 0])
    assert res.landmarks is None


def test_models_without_landmarks_report_none():
    image = torch.rand(1, 3, 8, 8)
    assert split_generator_output(image, 8) == (image, None)
    fwd = FixedSizeForward(lambda x, m: x, None)
    out = fwd(image, torch.zeros(1, 1, 8, 8))
    assert out is image
    assert fwd.landmarks_numpy() is None
    assert fwd.note() == ''


def test_cli_inpaints_with_an_nclg_config(files, tmp_path, capsys):
    from inpaintzoo.cli import main

    config, ckpt = files
    img, hole = _picture(H, W, seed=4)
    Image.fromarray(img).save(tmp_path / 'face.png')
    Image.fromarray(hole).save(tmp_path / 'hole.png')
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', str(config), '--checkpoint', str(ckpt),
              str(tmp_path / 'face.png'), '--mask', str(tmp_path / 'hole.png'),
              '--out', str(tmp_path / 'out'), '--device', 'cpu'])  # fmt: skip
    assert exc.value.code == 0
    out = np.asarray(Image.open(tmp_path / 'out' / 'face.png'))
    assert out.shape == (H, W, 3)
    assert np.array_equal(out[hole == 0], img[hole == 0])
    captured = capsys.readouterr()
    assert captured.out.split() == [str(tmp_path / 'out' / 'face.png')]
