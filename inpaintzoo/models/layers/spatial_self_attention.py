"""Traditional (full) spatial self-attention over all H*W pixels (thesis Table 4.10)."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


@MODELS.register_module()
class SpatialSelfAttention(BaseModule):
    """Multi-head softmax self-attention with every pixel as a token ("SSA").

    ``q, k, v = conv1x1(x)`` (C -> 3C), split head-major into
    (N, heads, H*W, C/heads); per head ``softmax(q k^T / sqrt(C/heads)) v``; then
    ``project_out`` (1x1). No positional encoding: permuting the pixels permutes
    the output the same way. Memory and time grow with ``(H*W)^2`` per head, which
    is why the thesis runs its SSA ablation (Table 4.10) at 64x64.

    Fits two slots with the same tensor contract ``(N, C, H, W) -> (N, C, H, W)``:
    an attention slot (``generator.block.attn``, kwargs ``dim``, ``num_heads``) and
    :class:`SCAL`'s spatial branch (``generator.block.attn.spatial``, kwarg
    ``dim``; ``num_heads`` then defaults to 1).

    Args:
        dim (int): Channels C, divisible by ``num_heads``.
        num_heads (int): Heads. Defaults to 1.
        bias (bool): Bias of the 1x1 convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    size_divisor = 1

    def __init__(
        self,
        dim: int,
        num_heads: int = 1,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_heads < 1 or dim % num_heads:
            raise ConfigError(
                f'SpatialSelfAttention: num_heads must divide dim, got dim={dim}, '
                f'num_heads={num_heads}'
            )
        self.num_heads = num_heads
        self.qkv = nn.Conv2d(dim, 3 * dim, 1, bias=bias)
        self.project_out = nn.Conv2d(dim, dim, 1, bias=bias)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        """Attention output before ``project_out``.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        n, c, h, w = x.shape
        qkv = self.qkv(x).reshape(n, 3, self.num_heads, c // self.num_heads, h * w)
        q, k, v = qkv.transpose(-2, -1).unbind(1)  # (N, heads, HW, C/heads) each
        out = F.scaled_dot_product_attention(q, k, v)
        return out.transpose(-2, -1).reshape(n, c, h, w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Attend over all pixels.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        return self.project_out(self.attention(x))
