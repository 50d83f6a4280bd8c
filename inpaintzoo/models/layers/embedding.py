"""Patch embeddings: the first 3x3 convolution of the U-Net backbones."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class ConvEmbedding(BaseModule):
    """Plain 3x3 convolution embedding (SEM-Net's ``patch_embed``).

    Args:
        in_channels (int): Input channels (4 = RGB + mask).
        dim (int): Output channels.
        bias (bool): Bias of the convolution. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    #: output channels of ``proj`` per embedding channel
    proj_factor = 1

    def __init__(
        self,
        in_channels: int,
        dim: int,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.proj = nn.Conv2d(
            in_channels, dim * self.proj_factor, 3, padding=1, bias=bias
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed.

        Args:
            x (Tensor): (N, in_channels, H, W).

        Returns:
            Tensor: (N, dim, H, W).
        """
        return self.proj(x)


@MODELS.register_module()
class GatedEmbedding(ConvEmbedding):
    """Gated 3x3 embedding of HINT / MxT (reference-models §2.2).

    ``proj`` = conv3x3 ``in_channels -> 2 * dim``; the output is split into halves
    (a, b) and ``GELU(a) * b`` is returned. Arguments as :class:`ConvEmbedding`.
    """

    proj_factor = 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed: (N, in_channels, H, W) -> (N, dim, H, W)."""
        a, b = self.proj(x).chunk(2, dim=1)
        return F.gelu(a) * b
