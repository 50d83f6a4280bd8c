"""InpaintDataPreprocessor: batching, scaling to [0, 1] and clear input errors."""

import pytest
import torch

from inpaintzoo.models.data_preprocessors import InpaintDataPreprocessor
from inpaintzoo.utils.errors import InvalidImageError, InvalidMaskError


def _sample(value: int = 255, h: int = 4, w: int = 6):
    img = torch.full((3, h, w), value, dtype=torch.uint8)
    mask = torch.zeros(1, h, w)
    mask[..., :2, :3] = 1
    return img, mask


def _data(imgs, masks):
    return dict(inputs=dict(img=imgs, mask=masks), data_samples=None)


def test_stacks_and_scales_uint8_to_unit_range():
    (a, ma), (b, mb) = _sample(255), _sample(51)
    out = InpaintDataPreprocessor()(_data([a, b], [ma, mb]))['inputs']
    assert out['img'].dtype == torch.float32
    assert out['img'].shape == (2, 3, 4, 6)
    assert out['img'][0].unique().tolist() == [1.0]
    assert out['img'][1].unique().tolist() == [pytest.approx(0.2)]
    torch.testing.assert_close(out['mask'], torch.stack([ma, mb]))


def test_single_chw_tensor_becomes_batch_of_one():
    img, mask = _sample(102)
    out = InpaintDataPreprocessor()(_data(img, mask))['inputs']
    assert out['img'].shape == (1, 3, 4, 6)
    assert out['img'].unique().tolist() == [pytest.approx(0.4)]


def test_nan_in_holes_passes_known_pixels_checked():
    img, mask = _sample()
    img = img.float()
    img[:, :2, :3] = float('nan')  # the hole
    out = InpaintDataPreprocessor()(_data([img], [mask]))['inputs']
    assert out['img'][0, :, 3:, 3:].eq(1).all()
    img[0, 3, 5] = float('inf')  # a known pixel
    with pytest.raises(InvalidImageError, match='NaN/Inf values in known pixels'):
        InpaintDataPreprocessor()(_data([img], [mask]))


def test_out_of_range_raw_values_raise():
    img, mask = _sample()
    img = img.float() * 257  # 16-bit range with scale=255
    with pytest.raises(InvalidImageError, match=r'scale=255 known pixels span \[257'):
        InpaintDataPreprocessor()(_data([img], [mask]))


@pytest.mark.parametrize(
    ('imgs', 'masks', 'error', 'match'),
    [
        ([], [], InvalidImageError, 'empty batch'),
        ([torch.zeros(4, 6, 3, dtype=torch.uint8)], [torch.zeros(1, 4, 6)],
         InvalidImageError, r'channels first.*\(1, 4, 6, 3\)'),
        ([torch.zeros(3, 4, 6, dtype=torch.uint8)], [torch.full((1, 4, 6), 0.5)],
         InvalidMaskError, 'binary'),
        ([torch.zeros(3, 4, 6, dtype=torch.uint8)], [torch.zeros(1, 4, 5)],
         InvalidMaskError, 'does not match'),
    ],
)  # fmt: skip
def test_bad_batches_raise(imgs, masks, error, match):
    with pytest.raises(error, match=match):
        InpaintDataPreprocessor()(_data(imgs, masks))
