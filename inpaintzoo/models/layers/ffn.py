"""Gated depth-wise convolution feed-forward network (Restormer GDFN)."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.fused_cpu_pointwise import gated_ffn
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class GDFN(BaseModule):
    """Gated depth-wise FFN (reference-models §1.2).

    ``project_in`` (1x1, C -> 2h) -> depth-wise 3x3 -> split (a, b) ->
    ``GELU(a) * b`` (exact erf GELU) -> ``project_out`` (1x1, h -> C), with
    ``h = int(C * expansion)`` (Python truncation).

    Args:
        dim (int): Channels C.
        expansion (float): Hidden width factor. Defaults to 2.66 (HINT).
        bias (bool): Bias of the three convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        expansion: float = 2.66,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden = int(dim * expansion)
        self.hidden = hidden
        self.project_in = nn.Conv2d(dim, hidden * 2, 1, bias=bias)
        self.dwconv = nn.Conv2d(
            hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2, bias=bias
        )
        self.project_out = nn.Conv2d(hidden, dim, 1, bias=bias)

    #: ``forward`` takes ``residual`` (see ``blocks.add_residual``)
    fuses_residual = True

    def forward(
        self, x: torch.Tensor, residual: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Apply the FFN.

        Args:
            x (Tensor): (N, C, H, W).
            residual (Tensor, optional): (N, C, H, W) added to the output
                (``residual + ffn(x)``; inside the last product on the CPU
                inference path).

        Returns:
            Tensor: (N, C, H, W).
        """
        return gated_ffn(
            x, self.project_in, self.dwconv, self.project_out, residual=residual
        )
