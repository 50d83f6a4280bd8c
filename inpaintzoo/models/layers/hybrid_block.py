"""MxT's Hybrid Module: parallel Mamba and SRSA branches, 1x1 fusion, then CBFN."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.blocks import (
    add_residual,
    common_size_divisor,
    spatial_kwargs,
    takes_spatial,
)
from inpaintzoo.models.layers.fused_cpu_pointwise import pointwise_conv_concat
from inpaintzoo.models.layers.slot_config import check_slot_config
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class HybridBlock(BaseModule):
    """Hybrid Module (reference-models §3.2).

    ``x0 = x; x += fuse(cat(mamba(norm1(x)), attn(norm3(x))))``;
    ``x += ffn(norm2(x))``. An FFN with ``takes_spatial = True`` (:class:`SEFN`)
    is called as ``ffn(norm2(x), spatial=x0)``, as in :class:`AttnFFNBlock`.
    ``fuse`` is a 1x1 conv 2C -> C; the Mamba output comes first in the concat.
    Names follow the official ones (``mam -> mamba``); only modules that run exist.

    For ablations, swap the branch types, or use :class:`AttnFFNBlock` with a single
    branch (``attn=dict(type='SRSA')`` or ``attn=dict(type='MambaMixer')``).

    Args:
        dim (int): Channels C.
        num_heads (int): Heads of the attention branch.
        mamba (dict, optional): Mamba-branch config, built with ``dim`` and
            ``num_heads``. Defaults to ``dict(type='MambaMixer')`` (raster scan).
        attn (dict, optional): Attention-branch config, built with ``dim`` and
            ``num_heads``. Defaults to ``dict(type='SRSA')``.
        ffn (dict, optional): FFN config built with ``dim``. Defaults to
            ``dict(type='CBFN')``.
        norm (dict, optional): Norm config built with ``dim``. Defaults to
            ``dict(type='ChannelLayerNorm')``.
        bias (bool): Bias of ``fuse``. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.

    Raises:
        ConfigError: a slot config has keywords its block does not take, or its
            block does not take the keywords the slot passes (see
            :func:`~inpaintzoo.models.layers.slot_config.check_slot_config`).
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        mamba: dict | None = None,
        attn: dict | None = None,
        ffn: dict | None = None,
        norm: dict | None = None,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        mamba = dict(mamba) if mamba is not None else dict(type='MambaMixer')
        attn = dict(attn) if attn is not None else dict(type='SRSA')
        ffn = dict(ffn) if ffn is not None else dict(type='CBFN')
        norm = dict(norm) if norm is not None else dict(type='ChannelLayerNorm')
        branch_args = dict(dim=dim, num_heads=num_heads)
        owner = type(self).__name__
        check_slot_config(mamba, 'mamba', branch_args, owner)
        check_slot_config(attn, 'attn', branch_args, owner)
        check_slot_config(ffn, 'ffn', dict(dim=dim), owner)
        check_slot_config(norm, 'norm', dict(dim=dim), owner)
        self.norm1 = MODELS.build(norm, default_args=dict(dim=dim))
        self.mamba = MODELS.build(mamba, default_args=branch_args)
        self.norm3 = MODELS.build(norm, default_args=dict(dim=dim))
        self.attn = MODELS.build(attn, default_args=branch_args)
        self.fuse = nn.Conv2d(2 * dim, dim, 1, bias=bias)
        self.norm2 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn = MODELS.build(ffn, default_args=dict(dim=dim))
        self.ffn_takes_spatial = takes_spatial(self.ffn)
        self.size_divisor = common_size_divisor(self.mamba, self.attn, self.ffn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        x_before = x
        branches = [self.mamba(self.norm1(x)), self.attn(self.norm3(x))]
        x = pointwise_conv_concat(self.fuse, branches, residual=x)
        extra = spatial_kwargs(self.ffn_takes_spatial, x_before)
        return add_residual(x, self.ffn, self.norm2(x), **extra)
