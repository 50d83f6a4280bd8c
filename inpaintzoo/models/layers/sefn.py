"""Spatially-enhanced feed-forward network of SEM-Net (reference-models §4.3)."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.attention import SpatialGate
from inpaintzoo.models.layers.fused_cpu import depthwise_conv, use_fused_cpu
from inpaintzoo.models.layers.fused_cpu_pointwise import (
    pointwise_conv,
    pointwise_conv_with_half,
    pointwise_depthwise,
)
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class SEFN(BaseModule):
    """SEFN: a gated depth-wise FFN whose gate is fused with a spatial map.

    With ``h = int(C * expansion)``::

        a, b  = split(dwconv(project_in(x)))                 # (N, h, H, W) each
        gamma = spatial(sp)   # avg-pool 2 -> (conv3x3 + CLN + ReLU) x 2 -> nearest x2
        g     = dwconv_afterfusion(fusion(cat(a, gamma)))    # (N, h, H, W)
        out   = project_out(GELU(g) * b)

    ``sp`` is the SEM block's raw input (before its Mamba residual and norm); the
    spatial branch is :class:`SpatialGate` (convolutions always with bias).

    Attributes:
        takes_spatial (bool): tells blocks to pass their raw input as ``spatial``.
        size_divisor (int): H and W must be even (2x2 pooling).

    Args:
        dim (int): Channels C.
        expansion (float): Hidden width factor. Defaults to 2.0 (SEM-Net).
        bias (bool): Bias of the five gate-path convolutions. Defaults to False.
        spatial_norm (dict, optional): Norm config of the spatial branch. Defaults
            to ``dict(type='ChannelLayerNorm')`` (WithBias).
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    takes_spatial = True
    size_divisor = 2

    def __init__(
        self,
        dim: int,
        expansion: float = 2.0,
        bias: bool = False,
        spatial_norm: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden = int(dim * expansion)
        self.hidden = hidden
        self.project_in = nn.Conv2d(dim, hidden * 2, 1, bias=bias)
        self.dwconv = nn.Conv2d(
            hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2, bias=bias
        )
        self.fusion = nn.Conv2d(hidden + dim, hidden, 1, bias=bias)
        self.dwconv_afterfusion = nn.Conv2d(
            hidden, hidden, 3, padding=1, groups=hidden, bias=bias
        )
        self.project_out = nn.Conv2d(hidden, dim, 1, bias=bias)
        self.spatial = SpatialGate(dim, norm=spatial_norm)

    #: ``forward`` takes ``residual`` (see ``blocks.add_residual``)
    fuses_residual = True

    def forward(
        self,
        x: torch.Tensor,
        spatial: torch.Tensor | None = None,
        residual: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Apply the FFN.

        Args:
            x (Tensor): (N, C, H, W) normalised features, H and W even.
            spatial (Tensor, optional): (N, C, H, W) source of the spatial map (the
                block's raw input). Defaults to ``x`` when None.
            residual (Tensor, optional): (N, C, H, W) added to the output.

        Returns:
            Tensor: (N, C, H, W).
        """
        sp = x if spatial is None else spatial
        # banded on the CPU inference path (the 2h map is written once)
        a, b = pointwise_depthwise(x, self.project_in, self.dwconv).chunk(2, dim=1)
        if use_fused_cpu(x, *self.parameters()):
            # inference: the fusion's spatial half runs at half resolution (a 1x1
            # conv commutes with nearest up-sampling), no concatenation is made
            gate = self.spatial.half_resolution(sp)
            g = pointwise_conv_with_half(self.fusion, a, gate)
            g = F.gelu(depthwise_conv(self.dwconv_afterfusion, g)).mul_(b)
        else:
            g = pointwise_conv(self.fusion, torch.cat([a, self.spatial(sp)], dim=1))
            g = F.gelu(depthwise_conv(self.dwconv_afterfusion, g)) * b
        return pointwise_conv(self.project_out, g, residual)
