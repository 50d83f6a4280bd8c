"""Tiny stand-in networks and losses registered for engine/inpaintor tests."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inpaintzoo.registry import MODELS


@MODELS.register_module(force=True)
class TinyGenerator(nn.Module):
    """(img, mask) -> sigmoid(conv(cat(filled img, mask))): (N, 3, H, W)."""

    def __init__(self, channels: int = 4):
        super().__init__()
        self.conv1 = nn.Conv2d(4, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 3, 3, padding=1)

    def forward(self, img: Tensor, mask: Tensor) -> Tensor:
        x = torch.cat([img * (1 - mask) + mask, mask], dim=1)
        return torch.sigmoid(self.conv2(F.relu(self.conv1(x))))


@MODELS.register_module(force=True)
class TinyDiscriminator(nn.Module):
    """(N, 3, H, W) -> sigmoid score map (N, 1, H/2, W/2)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 1, 4, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(self.conv(x))


@MODELS.register_module(force=True)
class TinyL1(nn.Module):
    """Mean L1 times a weight."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, gt: Tensor, mask: Tensor) -> Tensor:
        return F.l1_loss(pred, gt) * self.loss_weight


@MODELS.register_module(force=True)
class TinyLSGAN(nn.Module):
    """MSE to 1/0; weight on the generator side only."""

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target_is_real: bool, is_disc: bool = False):
        target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
        loss = F.mse_loss(pred, target)
        return loss if is_disc else loss * self.loss_weight


def tiny_model_cfg(update_order: str = 'joint') -> dict:
    """Config of a GANInpaintor made of the tiny modules above."""
    return dict(
        type='GANInpaintor',
        generator=dict(type='TinyGenerator'),
        discriminator=dict(type='TinyDiscriminator'),
        losses=dict(l1=dict(type='TinyL1', loss_weight=1.0)),
        gan_loss=dict(type='TinyLSGAN', loss_weight=0.01),
        train_cfg=dict(update_order=update_order),
    )


def make_gan_optim(model: nn.Module, g_lr: float, d_lr: float):
    """Adam wrappers for ``model.generator`` / ``model.discriminator`` as the
    ``OptimWrapperDict`` a GAN ``train_step`` takes."""
    from mmengine.optim import OptimWrapper, OptimWrapperDict

    return OptimWrapperDict(
        generator=OptimWrapper(torch.optim.Adam(model.generator.parameters(), lr=g_lr)),
        discriminator=OptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), lr=d_lr)
        ),
    )
