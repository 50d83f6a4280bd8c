"""Landmark loss of NCLG-MT (reference-models §5.6; thesis Eq. 3.7)."""

from typing import Literal

import torch
from torch import Tensor, nn

from inpaintzoo.registry import MODELS

LandmarkLossMode = Literal['norm', 'squared']


@MODELS.register_module()
class LandmarkLoss(nn.Module):
    """Distance between predicted and ground-truth landmarks, in pixels.

    Both arguments are pixel (x, y) coordinates of the input image; the inpaintor
    converts the generator's normalised output (fractions of the side) to pixels
    first (official: ``prediction * INPUT_SIZE``).

    * ``mode='norm'`` (official code, default): per sample the Euclidean norm of the
      2K-d difference (not squared), then the batch mean:
      ``mean_n ||pred_n - gt_n||_2``.
    * ``mode='squared'`` (thesis Eq. 3.7): the squared norm, batch mean.

    Args:
        loss_weight (float): multiplier. Defaults to 1.0 (official NCLG-MT:
            0.00046).
        mode (str): ``'norm'`` or ``'squared'``. Defaults to ``'norm'``.
    """

    def __init__(
        self, loss_weight: float = 1.0, mode: LandmarkLossMode = 'norm'
    ) -> None:
        super().__init__()
        if mode not in ('norm', 'squared'):
            raise ValueError(
                f"LandmarkLoss mode must be 'norm' or 'squared', got {mode!r}"
            )
        self.loss_weight = float(loss_weight)
        self.mode = mode

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): ``(N, K, 2)`` (or ``(N, 2K)``) predicted pixel (x, y).
            target (Tensor): ``(N, K, 2)`` (or ``(N, 2K)``) ground-truth pixel
                (x, y).

        Returns:
            Tensor: scalar, already multiplied by ``loss_weight``.

        Raises:
            ValueError: the two do not hold the same number of values per sample.
        """
        pred = pred.reshape(pred.shape[0], -1)
        target = target.reshape(target.shape[0], -1).to(pred.dtype)
        if pred.shape != target.shape:
            raise ValueError(
                f'LandmarkLoss: prediction {tuple(pred.shape)} and target '
                f'{tuple(target.shape)} differ (both flattened to (N, 2K))'
            )
        sq = (pred - target).pow(2).sum(dim=1)
        per_sample = sq if self.mode == 'squared' else torch.sqrt(sq)
        return per_sample.mean() * self.loss_weight
