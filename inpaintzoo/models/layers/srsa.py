"""Spatially-reduced self-attention (MxT's SRSA, reference-models §3.4)."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.fused_cpu import depthwise_conv
from inpaintzoo.models.layers.fused_cpu_pointwise import (
    pointwise_conv,
    pointwise_depthwise,
)
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class SRSA(BaseModule):
    """Attention of every pixel over an ``pool_size x pool_size`` pooled key/value grid.

    ``q, k, v = dwconv3x3(conv1x1(x))``; ``k`` and ``v`` are average-pooled to
    ``pool_size**2`` tokens and L2-normalised along the token axis (``q`` is not);
    per head ``A = softmax(q^T k * temperature)`` over the pooled tokens,
    ``o = v A^T``; then ``o + lce(v)`` (depth-wise 3x3 local enhancement of the full
    ``v``) and a 1x1 ``project_out``. Channels are split head-major. Cost is linear
    in ``H*W`` (``H*W x pool_size**2`` logits per head). Works at any size.

    Official names: ``qkv2 -> qkv``, ``qkv_dwconv2 -> qkv_dwconv``,
    ``temperature2 -> temperature``; ``lce`` and ``project_out`` keep their names.

    Args:
        dim (int): Channels C (divisible by ``num_heads``).
        num_heads (int): Heads. Defaults to 1.
        pool_size (int): Side of the pooled key/value grid. Defaults to 8.
        bias (bool): Bias of the convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int = 1,
        pool_size: int = 8,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if dim % num_heads:
            raise ValueError(
                f'SRSA: dim {dim} is not divisible by num_heads {num_heads}'
            )
        self.num_heads = num_heads
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.qkv = nn.Conv2d(dim, dim * 3, 1, bias=bias)
        self.qkv_dwconv = nn.Conv2d(
            dim * 3, dim * 3, 3, padding=1, groups=dim * 3, bias=bias
        )
        self.pool = nn.AdaptiveAvgPool2d(pool_size)
        self.lce = nn.Conv2d(dim, dim, 3, padding=1, groups=dim, bias=bias)
        self.project_out = nn.Conv2d(dim, dim, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the attention.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        n, c, h, w = x.shape
        heads = self.num_heads
        # banded on the CPU inference path (the 3C map is written once)
        q, k, v = pointwise_depthwise(x, self.qkv, self.qkv_dwconv).chunk(3, dim=1)
        v_full = v
        q = q.reshape(n, heads, c // heads, h * w)
        k = self.pool(k).reshape(n, heads, c // heads, -1)
        v = self.pool(v).reshape(n, heads, c // heads, -1)
        k = F.normalize(k, dim=-1)
        v = F.normalize(v, dim=-1)
        attn = (q.transpose(-2, -1) @ k) * self.temperature  # (N, heads, HW, P)
        attn = attn.softmax(dim=-1)
        out = (v @ attn.transpose(-2, -1)).reshape(n, c, h, w)
        return pointwise_conv(self.project_out, out + depthwise_conv(self.lce, v_full))
