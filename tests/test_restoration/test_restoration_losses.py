"""FFTLoss against a hand computation, and the thesis loss pair in the Restorer."""

import numpy as np
import pytest
import torch

from inpaintzoo.models.losses import FFTLoss
from inpaintzoo.utils.errors import ConfigError


def hand_fft_l1(pred: torch.Tensor, gt: torch.Tensor) -> float:
    """mean |Re, Im of numpy's fft2(pred) - fft2(gt)| over every value."""
    fp = np.fft.fft2(pred.double().numpy(), axes=(-2, -1))
    fg = np.fft.fft2(gt.double().numpy(), axes=(-2, -1))
    stacked = np.stack([(fp - fg).real, (fp - fg).imag], axis=-1)
    return float(np.abs(stacked).mean())


def test_fft_loss_equals_hand_computation():
    gen = torch.Generator().manual_seed(0)
    pred, gt = (
        torch.rand(2, 3, 8, 6, generator=gen),
        torch.rand(2, 3, 8, 6, generator=gen),
    )
    loss = FFTLoss(loss_weight=0.1)(pred, gt)
    assert loss.item() == pytest.approx(0.1 * hand_fft_l1(pred, gt), rel=1e-5)


def test_fft_loss_on_a_constant_offset_is_only_the_dc_term():
    # x + c differs from x only in the DC coefficient, by c * H * W (unnormalised)
    x = torch.rand(1, 1, 4, 4)
    loss = FFTLoss()(x + 0.5, x)
    assert loss.item() == pytest.approx(0.5 * 16 / (4 * 4 * 2), rel=1e-5)
    ortho = FFTLoss(norm='ortho')(x + 0.5, x)
    assert ortho.item() == pytest.approx(0.5 * 4 / (4 * 4 * 2), rel=1e-5)


def test_fft_loss_zero_for_equal_images_and_has_gradients():
    x = torch.rand(1, 3, 5, 7, requires_grad=True)
    assert FFTLoss()(x, x.detach()).item() == 0.0
    y = torch.rand(1, 3, 5, 7)
    FFTLoss()(x, y).backward()
    assert x.grad is not None
    assert bool(torch.isfinite(x.grad).all())


def test_fft_loss_onesided_and_errors():
    x, y = torch.rand(1, 3, 6, 6), torch.rand(1, 3, 6, 6)
    assert FFTLoss(onesided=True)(x, y).item() > 0
    with pytest.raises(ConfigError, match='norm'):
        FFTLoss(norm='unit')
    with pytest.raises(ValueError, match='equal shapes'):
        FFTLoss()(x, y[..., :5])
