import pytest
import torch

from inpaintzoo.models.losses import L1Loss, TVLoss
from inpaintzoo.utils.errors import InvalidMaskError


def _data(n=2, h=8, w=8):
    pred, gt = torch.rand(n, 3, h, w), torch.rand(n, 3, h, w)
    mask = torch.zeros(n, 1, h, w)
    mask[0, :, 2:5, 1:6] = 1
    mask[1, :, 4:, :3] = 1
    return pred, gt, mask


def test_l1_divides_by_batch_hole_ratio(seed):
    pred, gt, mask = _data()
    loss = L1Loss(loss_weight=2.5)(pred, gt, mask)
    expected = (
        (pred - gt).abs().sum() / pred.numel() * 2.5 / (mask.sum() / mask.numel())
    )
    torch.testing.assert_close(loss, expected)
    assert loss.dim() == 0


def test_l1_without_division_ignores_mask(seed):
    pred, gt, mask = _data()
    loss = L1Loss(loss_weight=0.5, divide_by_hole_ratio=False)
    expected = (pred - gt).abs().mean() * 0.5
    torch.testing.assert_close(loss(pred, gt, mask), expected)
    torch.testing.assert_close(loss(pred, gt), expected)


def test_l1_no_hole_batch_skips_division(seed):
    pred, gt, mask = _data()
    loss = L1Loss(loss_weight=3.0)(pred, gt, torch.zeros_like(mask))
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss, (pred - gt).abs().mean() * 3.0)


def test_l1_gradient_and_mask_errors(seed):
    pred, gt, mask = _data()
    pred.requires_grad_(True)
    L1Loss()(pred, gt, mask).backward()
    assert pred.grad is not None
    assert pred.grad.abs().sum() > 0
    with pytest.raises(InvalidMaskError, match='needs the mask'):
        L1Loss()(pred, gt)
    with pytest.raises(InvalidMaskError, match=r'\(N, 1, H, W\)'):
        L1Loss()(pred, gt, mask.expand(-1, 3, -1, -1))
    with pytest.raises(ValueError, match='equal shapes'):
        L1Loss()(pred, gt[:, :, :4], mask)


def test_tv_matches_formula_on_composite(seed):
    pred, gt, mask = _data(h=6, w=9)
    comp = pred * mask + gt * (1 - mask)
    b, c, h, w = comp.shape
    dv = (comp[:, :, 1:] - comp[:, :, :-1]).abs().sum() / (b * c * (h - 1) * w)
    dh = (comp[..., 1:] - comp[..., :-1]).abs().sum() / (b * c * h * (w - 1))
    torch.testing.assert_close(TVLoss(loss_weight=0.1)(pred, gt, mask), (dv + dh) * 0.1)


def test_tv_ignores_raw_output_outside_hole(seed):
    pred, gt, mask = _data()
    other = torch.where(mask.bool(), pred, torch.rand_like(pred))
    tv = TVLoss()
    torch.testing.assert_close(tv(pred, gt, mask), tv(other, gt, mask))
    with pytest.raises(ValueError, match='H, W >= 2'):
        tv(pred[:, :, :1], gt[:, :, :1], mask[:, :, :1])
