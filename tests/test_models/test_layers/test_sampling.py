import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.layers import interleave_mask
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


def _naive_interleave(feat, mask_unshuffled):
    n, c, h, w = feat.shape
    out = torch.zeros(n, 2 * c, h, w, dtype=feat.dtype)
    for i in range(c):
        out[:, 2 * i] = feat[:, i]
        out[:, 2 * i + 1] = mask_unshuffled[:, i % 4]
    return out


def test_interleave_matches_naive_loop():
    torch.manual_seed(0)
    feat = torch.randn(2, 16, 4, 3)
    mask = (torch.rand(2, 1, 8, 6) > 0.5).float()
    m4 = F.pixel_unshuffle(mask, 2)
    out = interleave_mask(feat, m4)
    torch.testing.assert_close(out, _naive_interleave(feat, m4), rtol=0, atol=0)
    # channel 2i+1 holds mask phase i mod 4 (0 = top-left, 3 = bottom-right)
    for i in range(16):
        dy, dx = divmod(i % 4, 2)
        torch.testing.assert_close(out[:, 2 * i + 1], mask[:, 0, dy::2, dx::2])


def test_mask_aware_downsample_uses_mask_and_shapes():
    torch.manual_seed(0)
    down = MODELS.build(dict(type='MaskAwareDownsample', dim=8))
    assert down.conv.weight.shape == (4, 8, 3, 3)
    assert down.fuse.weight.shape == (16, 2, 3, 3)
    x = torch.randn(2, 8, 6, 4)
    m0 = torch.zeros(2, 1, 6, 4)
    m1 = m0.clone()
    m1[:, :, :3] = 1
    out0 = down(x, m0)
    assert out0.shape == (2, 16, 3, 2)
    assert not torch.allclose(out0, down(x, m1))
    # equals grouped conv on the explicitly interleaved tensor
    feat = F.pixel_unshuffle(down.conv(x), 2)
    ref = down.fuse(_naive_interleave(feat, F.pixel_unshuffle(m1, 2)))
    torch.testing.assert_close(down(x, m1), ref)


@pytest.mark.parametrize(
    ('cfg', 'shape'),
    [
        (dict(type='PixelUnshuffleDownsample', dim=8), (1, 16, 3, 2)),
        (dict(type='StridedConvDownsample', dim=8), (1, 16, 3, 2)),
    ],
)
def test_plain_downsamplers_ignore_mask(cfg, shape):
    down = MODELS.build(cfg)
    x = torch.randn(1, 8, 6, 4)
    out = down(x, torch.ones(1, 1, 6, 4))
    assert out.shape == shape
    torch.testing.assert_close(out, down(x, torch.zeros(1, 1, 6, 4)), rtol=0, atol=0)


def test_pixel_shuffle_upsample():
    up = MODELS.build(dict(type='PixelShuffleUpsample', dim=8))
    x = torch.randn(2, 8, 3, 5)
    out = up(x)
    assert out.shape == (2, 4, 6, 10)
    torch.testing.assert_close(out, F.pixel_shuffle(up.conv(x), 2))


def test_odd_dim_rejected():
    with pytest.raises(ConfigError, match='even'):
        MODELS.build(dict(type='MaskAwareDownsample', dim=7))
