"""T-former's gated mechanism as SCAL's spatial branch (thesis Table 4.4 E)."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class ConvGELUGate(BaseModule):
    """Per-pixel, per-channel gate ``GELU(conv1x1(x))`` (T-former, Deng et al. 2022).

    T-former multiplies its attention output by this gate before the output
    projection. In :class:`SCAL`'s ``spatial`` slot it replaces HINT's pooled
    conv-LN-ReLU branch (:class:`SpatialGate`), which is thesis Table 4.4 row E
    ("Full†": the spatial branch replaced by [6]'s gated mechanism). Unlike
    :class:`SpatialGate` it works at full resolution (no pooling), so it imposes
    no size divisor.

    Spatial-branch slot contract: ``__init__(dim, ...)`` and
    ``forward(x: (N, C, H, W)) -> (N, C, H, W)``.

    Args:
        dim (int): Channels C.
        bias (bool): Bias of the 1x1 convolution (T-former: True). Defaults to True.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    size_divisor = 1

    def __init__(
        self, dim: int, bias: bool = True, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.conv = nn.Conv2d(dim, dim, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute the gate.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W), each value >= min GELU (about -0.17).
        """
        return F.gelu(self.conv(x))
