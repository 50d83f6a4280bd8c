"""Patch embeddings: the first (3x3 by default) convolution of the U-Net backbones."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


@MODELS.register_module()
class ConvEmbedding(BaseModule):
    """Plain 3x3 convolution embedding (SEM-Net's ``patch_embed``).

    Args:
        in_channels (int): Input channels (4 = RGB + mask).
        dim (int): Output channels.
        bias (bool): Bias of the convolution. Defaults to False.
        kernel_size (int): Odd kernel side, zero padding ``kernel_size // 2``
            (the thesis's Table 4.7 compares 3 with 7). Defaults to 3.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    #: output channels of ``proj`` per embedding channel
    proj_factor = 1

    def __init__(
        self,
        in_channels: int,
        dim: int,
        bias: bool = False,
        kernel_size: int = 3,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ConfigError(
                f'{type(self).__name__}.kernel_size must be odd and >= 1 (same-size '
                f'output), got {kernel_size}'
            )
        self.proj = nn.Conv2d(
            in_channels,
            dim * self.proj_factor,
            kernel_size,
            padding=kernel_size // 2,
            bias=bias,
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

    ``proj`` = conv (3x3 by default) ``in_channels -> 2 * dim``; the output is
    split into halves (a, b) and ``GELU(a) * b`` is returned. Arguments as
    :class:`ConvEmbedding`.
    """

    proj_factor = 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed: (N, in_channels, H, W) -> (N, dim, H, W)."""
        a, b = self.proj(x).chunk(2, dim=1)
        return F.gelu(a) * b
