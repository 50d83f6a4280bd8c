"""Conformer-style block (Gulati et al. 2020): FFN -> attention -> conv -> FFN.

Thesis Table 4.5 "Conformer": HINT's sandwich (FFN -> SCAL -> FFN) with a
convolution module after the attention, as in the Conformer's macaron block.
"""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.blocks import (
    _check_slots,
    _defaults,
    common_size_divisor,
    spatial_kwargs,
    takes_spatial,
)
from inpaintzoo.models.layers.slot_config import check_slot_config
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


@MODELS.register_module()
class ConformerConvModule(BaseModule):
    """Conformer convolution module on images.

    ``pointwise_in`` (1x1, C -> 2C) -> GLU over channels -> depth-wise
    ``kernel_size x kernel_size`` -> BatchNorm -> SiLU (Swish) -> ``pointwise_out``
    (1x1, C -> C). The Conformer's 1-D depth-wise convolution over time becomes a
    2-D depth-wise convolution over (H, W).

    Args:
        dim (int): Channels C.
        kernel_size (int): Odd side of the depth-wise kernel. Defaults to 3.
        bias (bool): Bias of the three convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        kernel_size: int = 3,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ConfigError(
                'ConformerConvModule.kernel_size must be odd and >= 1, got '
                f'{kernel_size}'
            )
        self.pointwise_in = nn.Conv2d(dim, 2 * dim, 1, bias=bias)
        self.depthwise = nn.Conv2d(
            dim, dim, kernel_size, padding=kernel_size // 2, groups=dim, bias=bias
        )
        self.bn = nn.BatchNorm2d(dim)
        self.pointwise_out = nn.Conv2d(dim, dim, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the module.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        x = F.glu(self.pointwise_in(x), dim=1)
        return self.pointwise_out(F.silu(self.bn(self.depthwise(x))))


@MODELS.register_module()
class ConformerBlock(BaseModule):
    """Conformer (macaron) block with HINT's slots.

    ``x0 = x; x += s * ffn1(norm1(x)); x += attn(norm2(x)); x += conv(norm3(x));
    x += s * ffn2(norm4(x))``, then ``norm_out(x)`` if ``final_norm``, with
    ``s = ffn_scale`` (the Conformer's half-step FFN residuals: 0.5). An FFN
    with ``takes_spatial = True`` (:class:`SEFN`) gets the block's raw input
    ``x0`` as ``spatial`` in both calls, as in :class:`AttnFFNBlock`. Compared
    with :class:`SandwichBlock` (FFN -> attention -> FFN) it adds the
    convolution module *after* the attention.

    Args:
        dim (int): Channels C.
        num_heads (int): Heads of the attention.
        attn (dict, optional): Attention config (``dim``, ``num_heads``).
            Defaults to ``dict(type='SCAL')``.
        ffn (dict, optional): FFN config (``dim``), used for both FFNs. Defaults
            to ``dict(type='GDFN', expansion=2.66)``.
        conv (dict, optional): Convolution module config (``dim``). Defaults to
            ``dict(type='ConformerConvModule')``.
        norm (dict, optional): Norm config (``dim``). Defaults to
            ``dict(type='ChannelLayerNorm')``.
        ffn_scale (float): Weight of both FFN residuals. Defaults to 0.5.
        final_norm (bool): Normalise the block output (Conformer). Defaults to True.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        attn: dict | None = None,
        ffn: dict | None = None,
        conv: dict | None = None,
        norm: dict | None = None,
        ffn_scale: float = 0.5,
        final_norm: bool = True,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        attn, ffn, norm = _defaults(attn, ffn, norm)
        conv = dict(conv) if conv is not None else dict(type='ConformerConvModule')
        owner = type(self).__name__
        _check_slots(owner, dim, num_heads, attn, ffn, norm)
        check_slot_config(conv, 'conv', dict(dim=dim), owner)
        self.ffn_scale = float(ffn_scale)
        self.norm1 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn1 = MODELS.build(ffn, default_args=dict(dim=dim))
        self.norm2 = MODELS.build(norm, default_args=dict(dim=dim))
        self.attn = MODELS.build(attn, default_args=dict(dim=dim, num_heads=num_heads))
        self.norm3 = MODELS.build(norm, default_args=dict(dim=dim))
        self.conv = MODELS.build(conv, default_args=dict(dim=dim))
        self.norm4 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn2 = MODELS.build(ffn, default_args=dict(dim=dim))
        self.norm_out = (
            MODELS.build(norm, default_args=dict(dim=dim)) if final_norm else None
        )
        self.ffn_takes_spatial = takes_spatial(self.ffn1)
        self.size_divisor = common_size_divisor(self.attn, self.ffn1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block.

        Args:
            x (Tensor): (N, C, H, W), H and W multiples of :attr:`size_divisor`.

        Returns:
            Tensor: (N, C, H, W).
        """
        extra = spatial_kwargs(self.ffn_takes_spatial, x)
        x = x + self.ffn_scale * self.ffn1(self.norm1(x), **extra)
        x = x + self.attn(self.norm2(x))
        x = x + self.conv(self.norm3(x))
        x = x + self.ffn_scale * self.ffn2(self.norm4(x), **extra)
        return x if self.norm_out is None else self.norm_out(x)
