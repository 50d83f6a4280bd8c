"""Channel LayerNorm: normalise each pixel's C-vector of an (N, C, H, W) map."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.fused_cpu import channel_layer_norm, use_fused_cpu
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class ChannelLayerNorm(BaseModule):
    """LayerNorm over the channel axis of an NCHW tensor (reference-models §1.1).

    ``bias=True`` is the official ``WithBias`` variant:
    ``(v - mean(v)) / sqrt(var(v) + eps) * w + b`` per pixel vector ``v``, with the
    biased variance. ``bias=False`` is ``BiasFree``: ``v / sqrt(var(v) + eps) * w``
    (the variance is still taken about the mean, but ``v`` is not centred).

    The ``WithBias`` form runs as one fused ``F.layer_norm`` on a channels-last
    view instead of the official reshape to (N, H*W, C).

    Args:
        dim (int): Number of channels C.
        bias (bool): ``WithBias`` (True) or ``BiasFree`` (False). Defaults to True.
        eps (float): Added to the variance inside the square root. Defaults to 1e-5.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        bias: bool = True,
        eps: float = 1e-5,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.dim = dim
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise over channels.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W), same dtype.
        """
        if use_fused_cpu(x, self.weight, self.bias):
            centre = self.bias is not None
            return channel_layer_norm(x, self.weight, self.bias, self.eps, centre)
        if self.bias is not None:
            y = F.layer_norm(
                x.permute(0, 2, 3, 1), (self.dim,), self.weight, self.bias, self.eps
            )
            return y.permute(0, 3, 1, 2)
        var = x.var(dim=1, keepdim=True, unbiased=False)
        return x * torch.rsqrt(var + self.eps) * self.weight[:, None, None]

    def extra_repr(self) -> str:
        """Shown by ``repr``."""
        return f'{self.dim}, bias={self.bias is not None}, eps={self.eps}'
