"""Model inputs: hole pixels never matter, bad images fail clearly (issue #7)."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.models.backbones.input_checks import check_image_tensor, fill_holes
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import InvalidImageError, InvalidMaskError

REPO = Path(__file__).resolve().parents[3]
TINY_CONFIGS = [
    'configs/hint/hint-tiny_1xb4-300_demo-64x64.py',
    'configs/mxt/mxt-tiny_1xb4-300_demo-64x64.py',
    'configs/sem_net/sem-tiny_1xb4-300_demo-64x64.py',
]


def _inputs(size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(2, 3, size, size, generator=gen)
    mask = torch.zeros(2, 1, size, size)
    mask[0, :, 2:9, 3:12] = 1
    mask[1, :, 8:, :5] = 1
    return img, mask


@pytest.fixture(scope='module', params=TINY_CONFIGS, ids=lambda p: Path(p).parent.name)
def tiny_model(request):
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    cfg = Config.fromfile(str(REPO / request.param))
    return MODELS.build(cfg.model).eval()


def test_hole_content_cannot_leak(tiny_model):
    img, mask = _inputs()
    zeros = torch.where(mask > 0.5, 0.0, img)
    junk = torch.tensor([float('nan'), float('inf'), -float('inf'), 1e30, 255.0])
    junk = junk.repeat(img.numel() // 5 + 1)[: img.numel()].view_as(img)
    poisoned = torch.where(mask > 0.5, junk, img)
    assert not torch.isfinite(poisoned).all()
    with torch.no_grad():
        ref = tiny_model(dict(img=zeros, mask=mask), mode='tensor')
        out = tiny_model(dict(img=poisoned, mask=mask), mode='tensor')
        raw = tiny_model.generator(poisoned, mask)
        raw_ref = tiny_model.generator(zeros, mask)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, ref, rtol=0, atol=0)
    torch.testing.assert_close(raw, raw_ref, rtol=0, atol=0)
    # the known pixels are the input's, the holes the generator's
    torch.testing.assert_close(torch.where(mask > 0.5, 0.0, out), zeros)
    torch.testing.assert_close(torch.where(mask > 0.5, out, 0.0), raw * mask)


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_known_pixels_raise(tiny_model, bad):
    img, mask = _inputs()
    img[1, 2, 0, 15] = bad  # a known pixel (mask[1] is 0 there)
    with pytest.raises(InvalidImageError, match=r'1 NaN/Inf values in known pixels'):
        tiny_model(dict(img=img, mask=mask), mode='tensor')
    with pytest.raises(InvalidImageError, match='known pixels'):
        tiny_model.generator(img, mask)


@pytest.mark.parametrize(
    ('scale', 'shift', 'found'),
    [(255.0, 0.0, r'\[0, 25\d(\.\d+)?\]'), (2.0, -1.0, r'\[-1, 1\]')],
)
def test_wrong_value_range_raises(tiny_model, scale, shift, found):
    img, mask = _inputs()
    img = img * scale + shift
    img[0, 0, 0, 0], img[0, 0, 0, 1] = shift, scale + shift  # exact span
    with pytest.raises(InvalidImageError, match=f'span {found} but the model expects'):
        tiny_model(dict(img=img, mask=mask), mode='tensor')
    with pytest.raises(InvalidImageError, match=r'expects \[0, 1\]'):
        tiny_model.generator(img, mask)


@pytest.mark.parametrize(
    ('img', 'mask', 'match'),
    [
        (torch.rand(3, 16, 16), torch.zeros(1, 16, 16), r'img\[None\]'),
        (torch.rand(0, 3, 16, 16), torch.zeros(0, 1, 16, 16), 'empty batch'),
        (torch.zeros(1, 3, 16, 16, dtype=torch.uint8), torch.zeros(1, 1, 16, 16),
         r'dtype torch.uint8.*/ 255'),
        ([[0.5]], torch.zeros(1, 1, 1, 1), 'must be a torch.Tensor'),
    ],
)  # fmt: skip
def test_bad_image_shapes_raise(tiny_model, img, mask, match):
    with pytest.raises(InvalidImageError, match=match):
        tiny_model(dict(img=img, mask=mask), mode='tensor')
    with pytest.raises(InvalidImageError, match=match):
        tiny_model.generator(img, mask)


def test_wrong_channel_count_names_in_channels():
    net = MODELS.build(
        dict(type='InpaintUNet', dim=4, num_blocks=[1] * 4, num_heads=[1] * 4)
    )
    with pytest.raises(InvalidImageError, match=r'3 channels \(in_channels\)'):
        net(torch.rand(1, 4, 16, 16), torch.zeros(1, 1, 16, 16))


def test_bad_mask_values_raise():
    img, mask = _inputs()
    mask[0, 0, 0, 0] = float('nan')
    with pytest.raises(InvalidMaskError, match='binary'):
        check_image_tensor(img, mask)


def test_check_accepts_all_hole_and_slack():
    img, mask = _inputs()
    check_image_tensor(torch.full_like(img, float('nan')), torch.ones_like(mask))
    check_image_tensor(img * 1.4 - 0.2, mask)  # resampling overshoot is tolerated


def test_fill_holes_replaces_not_multiplies():
    img = torch.tensor([[[[float('nan'), 0.25]]]])
    mask = torch.tensor([[[[1.0, 0.0]]]])
    assert fill_holes(img, mask, 1.0).tolist() == [[[[1.0, 0.25]]]]
