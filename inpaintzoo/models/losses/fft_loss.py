"""Frequency-domain L1 loss of the SEM-Net deblurring recipe (thesis Eq. 5.23).

The thesis follows SFNet (Cui et al., ICLR 2023): ``L1(F(out), F(gt))`` with F the
2-D FFT over (H, W); the total deblurring loss is ``L1 + 0.1 * FFT`` (§5.4.6).
The thesis does not spell out the FFT details; we take the SFNet convention
(reference-models.md §4.7, an assumption): ``torch.fft.fft2`` over the last two
axes with the default (unnormalised, ``'backward'``) scaling, real and imaginary
parts stacked, and the mean absolute difference over all of them.
"""

import torch
from torch import Tensor, nn

from inpaintzoo.models.losses.pixel_losses import check_inputs
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.dtypes import at_least_float32
from inpaintzoo.utils.errors import ConfigError

FFT_NORMS = ('backward', 'ortho', 'forward')


def fft_real_imag(
    img: Tensor, norm: str = 'backward', onesided: bool = False
) -> Tensor:
    """2-D FFT of every channel, real and imaginary parts stacked last.

    Args:
        img (Tensor): (N, C, H, W) real.
        norm (str): ``torch.fft`` normalisation. Defaults to ``'backward'``.
        onesided (bool): ``rfft2`` (the non-redundant half, W // 2 + 1 columns)
            instead of the full ``fft2``. Defaults to False.

    Returns:
        Tensor: (N, C, H, W', 2) float, W' = W (or W // 2 + 1 when ``onesided``).
    """
    fft = torch.fft.rfft2 if onesided else torch.fft.fft2
    spec = fft(
        at_least_float32(img),
        dim=(-2, -1),
        norm=norm,
    )
    return torch.stack((spec.real, spec.imag), dim=-1)


@MODELS.register_module()
class FFTLoss(nn.Module):
    """``mean |stack(Re, Im)(FFT2(pred)) - stack(Re, Im)(FFT2(gt))| * weight``.

    With the default ``'backward'`` norm the DC coefficient is the sum over H x W,
    so the loss grows with the image area; the thesis weight 0.1 was set at the
    SFNet crop size (256 x 256). ``norm='ortho'`` makes it size independent.

    Args:
        loss_weight (float): multiplier; the thesis recipe uses 0.1. Defaults
            to 1.0 (the weight belongs in the config, as for every loss).
        norm (str): ``'backward'`` (SFNet, unnormalised), ``'ortho'`` or
            ``'forward'``. Defaults to ``'backward'``.
        onesided (bool): compare the ``rfft2`` half spectrum. Defaults to False
            (SFNet's full ``fft2``).
    """

    def __init__(
        self, loss_weight: float = 1.0, norm: str = 'backward', onesided: bool = False
    ) -> None:
        super().__init__()
        if norm not in FFT_NORMS:
            raise ConfigError(f'FFTLoss.norm must be one of {FFT_NORMS}, got {norm!r}')
        self.loss_weight = float(loss_weight)
        self.norm = norm
        self.onesided = bool(onesided)

    def forward(self, pred: Tensor, gt: Tensor, mask: Tensor | None = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): (N, C, H, W) restored image.
            gt (Tensor): (N, C, H, W) target.
            mask (Tensor | None): ignored (the loss slot's common signature).

        Returns:
            Tensor: scalar, already multiplied by ``loss_weight``.
        """
        check_inputs(pred, gt, None)
        diff = fft_real_imag(pred, self.norm, self.onesided) - fft_real_imag(
            gt, self.norm, self.onesided
        )
        return diff.abs().mean() * self.loss_weight

    def extra_repr(self) -> str:
        """Settings shown by ``print(module)``."""
        return (
            f'loss_weight={self.loss_weight}, norm={self.norm!r}, '
            f'onesided={self.onesided}'
        )
