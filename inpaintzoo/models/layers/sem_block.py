"""SEM block of SEM-Net (reference-models §4.1): token mixer + spatially-enhanced FFN.

Block slot contract (see :mod:`inpaintzoo.models.layers.blocks`):
``__init__(dim, num_heads, ...)`` and ``forward(x: (N, C, H, W)) -> (N, C, H, W)``.
"""

import math

import torch
from mmengine.model import BaseModule

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class SEMBlock(BaseModule):
    """``x0 = x; x += attn(norm1(x)); x += ffn(norm2(x), spatial=x0)``.

    The FFN receives the block's raw input ``x0`` as its spatial source when it
    declares ``takes_spatial = True`` (:class:`SEFN`); any other FFN (e.g. a plain
    :class:`GDFN` for ablations) is called as ``ffn(norm2(x))``. The token mixer in
    the ``attn`` slot is any attention-slot module: the Snake Mamba Block (default),
    :class:`ChannelAttention`, :class:`SCAL`, ...

    Args:
        dim (int): Channels C.
        num_heads (int): Heads, passed to the token mixer (SMB ignores them).
        attn (dict, optional): Token-mixer config, built with ``dim`` and
            ``num_heads``. Defaults to ``dict(type='SnakeMambaBlock')``.
        ffn (dict, optional): FFN config, built with ``dim``. Defaults to
            ``dict(type='SEFN', expansion=2.0)``.
        norm (dict, optional): Norm config, built with ``dim``. Defaults to
            ``dict(type='ChannelLayerNorm')``.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        attn: dict | None = None,
        ffn: dict | None = None,
        norm: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        attn = dict(attn) if attn is not None else dict(type='SnakeMambaBlock')
        ffn = dict(ffn) if ffn is not None else dict(type='SEFN', expansion=2.0)
        norm = dict(norm) if norm is not None else dict(type='ChannelLayerNorm')
        self.norm1 = MODELS.build(norm, default_args=dict(dim=dim))
        self.attn = MODELS.build(attn, default_args=dict(dim=dim, num_heads=num_heads))
        self.norm2 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn = MODELS.build(ffn, default_args=dict(dim=dim))
        self.ffn_takes_spatial = bool(getattr(self.ffn, 'takes_spatial', False))
        self.size_divisor = math.lcm(
            int(getattr(self.attn, 'size_divisor', 1)),
            int(getattr(self.ffn, 'size_divisor', 1)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block.

        Args:
            x (Tensor): (N, C, H, W), H and W multiples of :attr:`size_divisor`.

        Returns:
            Tensor: (N, C, H, W).
        """
        x_before = x
        x = x + self.attn(self.norm1(x))
        if self.ffn_takes_spatial:
            return x + self.ffn(self.norm2(x), spatial=x_before)
        return x + self.ffn(self.norm2(x))
