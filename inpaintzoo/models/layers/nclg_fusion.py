"""1x1 feature fusion of NCLG-MT (``fushion1``, ``fushion1_1``, ``fushion2``)."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class FeatureFusion(BaseModule):
    """``ReLU(IN(conv1x1(cat(first, second))))``.

    The concat order is ``first`` then ``second`` (NCLG-MT puts the masked
    encoder skip or the landmark map first, the decoder feature second).
    InstanceNorm is not affine; the conv has bias.

    Shapes: ``(B, C1, H, W), (B, C2, H, W) -> (B, out_channels, H, W)`` with
    ``C1 + C2 == in_channels``.

    Args:
        in_channels (int): Channels of the concatenation.
        out_channels (int): Output channels.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.norm = nn.InstanceNorm2d(out_channels)
        self.act = nn.ReLU()

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        """Fuse two feature maps of equal size.

        Args:
            first (Tensor): ``(B, C1, H, W)``.
            second (Tensor): ``(B, C2, H, W)``.

        Returns:
            Tensor: ``(B, out_channels, H, W)``.
        """
        return self.act(self.norm(self.conv(torch.cat([first, second], dim=1))))
