"""Adversarial losses (reference-models.md §1.8; all four models use ``lsgan``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

GAN_TYPES = ('lsgan', 'nsgan', 'hinge')


@MODELS.register_module()
class GANLoss(nn.Module):
    """LSGAN / non-saturating GAN / hinge objective on a discriminator output map.

    * ``lsgan``: ``mean((D - t)^2)`` with t = 1 (real) or 0 (fake); D is the sigmoid
      output of the official PatchGAN.
    * ``nsgan``: binary cross-entropy with the same targets. Expects probabilities
      (sigmoid head) unless ``from_logits=True``.
    * ``hinge`` (no sigmoid head): D side ``mean(relu(1 - D))`` for real and
      ``mean(relu(1 + D))`` for fake; G side ``-mean(D)``.

    ``loss_weight`` multiplies only the generator term (``is_disc=False``); the D loss
    is returned unweighted (the inpaintor averages its real and fake terms).

    Args:
        gan_type (str): one of ``'lsgan'``, ``'nsgan'``, ``'hinge'``.
            Defaults to ``'lsgan'``.
        loss_weight (float): weight of the generator term. Defaults to 1.0.
        from_logits (bool): ``nsgan`` only: D outputs logits, use BCE-with-logits.
            Defaults to False.
    """

    def __init__(
        self,
        gan_type: str = 'lsgan',
        loss_weight: float = 1.0,
        from_logits: bool = False,
    ) -> None:
        super().__init__()
        if gan_type not in GAN_TYPES:
            raise ConfigError(f'gan_type must be one of {GAN_TYPES}, got {gan_type!r}')
        if from_logits and gan_type != 'nsgan':
            raise ConfigError(
                "from_logits=True is only meaningful for gan_type='nsgan'"
            )
        self.gan_type = gan_type
        self.loss_weight = float(loss_weight)
        self.from_logits = from_logits

    def forward(
        self, pred: Tensor, target_is_real: bool, is_disc: bool = False
    ) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): discriminator output of any shape, e.g. (N, 1, h, w);
                probabilities for ``lsgan``/``nsgan`` (unless ``from_logits``), raw
                scores for ``hinge``.
            target_is_real (bool): whether ``pred`` should be judged real.
            is_disc (bool): the discriminator's loss (unweighted) rather than the
                generator's adversarial term (weighted). Defaults to False.

        Returns:
            Tensor: scalar.
        """
        if self.gan_type == 'hinge':
            if is_disc:
                sign = -1.0 if target_is_real else 1.0
                return F.relu(1.0 + sign * pred).mean()
            if not target_is_real:
                raise ValueError('hinge generator loss needs target_is_real=True')
            loss = -pred.mean()
        else:
            target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
            if self.gan_type == 'lsgan':
                loss = F.mse_loss(pred, target)
            elif self.from_logits:
                loss = F.binary_cross_entropy_with_logits(pred, target)
            else:
                loss = F.binary_cross_entropy(pred, target)
        return loss if is_disc else loss * self.loss_weight
