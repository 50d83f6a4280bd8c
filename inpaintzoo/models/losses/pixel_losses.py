"""Pixel losses of the official models (reference-models.md §1.8)."""

from __future__ import annotations

from torch import Tensor, nn

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import InvalidMaskError


def check_inputs(pred: Tensor, gt: Tensor, mask: Tensor | None) -> None:
    """Validate the ``(pred, gt, mask)`` triple shared by the pixel-type losses.

    Args:
        pred (Tensor): (N, 3, H, W).
        gt (Tensor): (N, 3, H, W), same shape as ``pred``.
        mask (Tensor | None): (N, 1, H, W), 1 = hole.
    """
    if pred.shape != gt.shape or pred.dim() != 4:
        raise ValueError(
            f'pred and gt must both be (N, C, H, W) with equal shapes, got '
            f'{tuple(pred.shape)} and {tuple(gt.shape)}'
        )
    if mask is None:
        return
    n, _, h, w = pred.shape
    if mask.dim() != 4 or mask.shape[1] != 1 or tuple(mask.shape[2:]) != (h, w):
        raise InvalidMaskError(
            f'mask must be (N, 1, H, W) = ({n}, 1, {h}, {w}) with 1 = hole, got '
            f'{tuple(mask.shape)}'
        )
    if mask.shape[0] != n:
        raise InvalidMaskError(f'mask batch {mask.shape[0]} != image batch {n}')


@MODELS.register_module()
class L1Loss(nn.Module):
    """Official reconstruction L1: ``mean|pred - gt| * w / mean(mask)``.

    The mean runs over all N x 3 x H x W elements of the **raw** output (not hole-only).
    With ``divide_by_hole_ratio`` (HINT, SEM-Net, NCLG-MT) the result is divided by the
    batch hole ratio ``mean(mask)`` over N x 1 x H x W; MxT does not divide. This is not
    MMagic's masked mean over hole pixels.

    No-hole rule: the official code divides by zero when a batch has no hole pixel.
    Here, when ``mean(mask) == 0`` the division is skipped (the ratio counts as 1), so
    the loss is the plain weighted mean L1.

    Args:
        loss_weight (float): multiplier. Defaults to 1.0.
        divide_by_hole_ratio (bool): divide by ``mean(mask)``. Defaults to True.
    """

    def __init__(
        self, loss_weight: float = 1.0, divide_by_hole_ratio: bool = True
    ) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)
        self.divide_by_hole_ratio = divide_by_hole_ratio

    def forward(self, pred: Tensor, gt: Tensor, mask: Tensor | None = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): (N, 3, H, W) raw generator output in [0, 1].
            gt (Tensor): (N, 3, H, W) ground truth in [0, 1].
            mask (Tensor | None): (N, 1, H, W), 1 = hole. Required when dividing by
                the hole ratio.

        Returns:
            Tensor: scalar, already multiplied by ``loss_weight``.
        """
        check_inputs(pred, gt, mask)
        loss = (pred - gt).abs().mean() * self.loss_weight
        if not self.divide_by_hole_ratio:
            return loss
        if mask is None:
            raise InvalidMaskError('L1Loss(divide_by_hole_ratio=True) needs the mask')
        ratio = mask.detach().to(loss.dtype).mean()
        return loss / ratio if bool(ratio > 0) else loss


@MODELS.register_module()
class TVLoss(nn.Module):
    """Total variation of the composite ``pred * mask + gt * (1 - mask)`` (NCLG-MT).

    ``sum|dV| / (N*C*(H-1)*W) + sum|dH| / (N*C*H*(W-1))``, i.e. the mean absolute
    vertical difference plus the mean absolute horizontal difference, times the weight.

    Args:
        loss_weight (float): multiplier. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, pred: Tensor, gt: Tensor, mask: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): (N, 3, H, W) raw generator output in [0, 1], H, W >= 2.
            gt (Tensor): (N, 3, H, W) ground truth in [0, 1].
            mask (Tensor): (N, 1, H, W), 1 = hole.

        Returns:
            Tensor: scalar, already multiplied by ``loss_weight``.
        """
        check_inputs(pred, gt, mask)
        if pred.shape[2] < 2 or pred.shape[3] < 2:
            raise ValueError(f'TVLoss needs H, W >= 2, got {tuple(pred.shape)}')
        comp = pred * mask + gt * (1 - mask)
        dv = (comp[:, :, 1:, :] - comp[:, :, :-1, :]).abs().mean()
        dh = (comp[:, :, :, 1:] - comp[:, :, :, :-1]).abs().mean()
        return (dv + dh) * self.loss_weight
