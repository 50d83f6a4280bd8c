"""``model.inpaint()`` converts uint8 images instead of returning garbage."""

import pytest
import torch

from inpaintzoo.utils.errors import InvalidImageError


@pytest.fixture(scope='module')
def batch():
    g = torch.Generator().manual_seed(0)
    img = torch.randint(0, 256, (2, 3, 21, 35), dtype=torch.uint8, generator=g)
    mask = torch.zeros(2, 1, 21, 35)
    mask[:, :, 5:15, 10:25] = 1
    return img, mask


def test_uint8_image_is_converted_and_returned_as_uint8(trained_model, batch):
    img, mask = batch
    out = trained_model.inpaint(img, mask)
    ref = trained_model.inpaint(img.float() / 255, mask)
    assert out.dtype == torch.uint8
    assert out.shape == img.shape
    assert torch.equal(out, (ref * 255).round().to(torch.uint8))
    known = (mask == 0).expand_as(img)
    assert torch.equal(out[known], img[known])


def test_single_image_and_0_255_mask(trained_model, batch):
    img, mask = batch
    out = trained_model.inpaint(img[0], (mask[0, 0] * 255).to(torch.uint8))
    assert out.shape == (3, 21, 35)
    assert out.dtype == torch.uint8
    assert torch.equal(out, trained_model.inpaint(img, mask)[0])


def test_other_ranges_are_refused_clearly(trained_model, batch):
    img, mask = batch
    with pytest.raises(InvalidImageError, match='divided by 255'):
        trained_model.inpaint(img.float(), mask)  # float in [0, 255]
