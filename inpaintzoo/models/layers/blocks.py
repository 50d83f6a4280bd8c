"""Transformer blocks for the U-Net backbones.

Block slot contract: ``__init__(dim, num_heads, ...)`` (passed by the backbone
through ``default_args``) and ``forward(x: (N, C, H, W)) -> (N, C, H, W)``.
``size_divisor`` tells the backbone which factor H and W must be divisible by.
"""

import functools
import inspect
import math
from typing import Any

import torch
from mmengine.model import BaseModule

from inpaintzoo.models.layers.slot_config import check_slot_config
from inpaintzoo.registry import MODELS


def _defaults(attn: dict | None, ffn: dict | None, norm: dict | None):
    attn = dict(attn) if attn is not None else dict(type='SCAL')
    ffn = dict(ffn) if ffn is not None else dict(type='GDFN', expansion=2.66)
    norm = dict(norm) if norm is not None else dict(type='ChannelLayerNorm')
    return attn, ffn, norm


def _check_slots(
    owner: str, dim: int, num_heads: int, attn: dict, ffn: dict, norm: dict
) -> None:
    """Refuse keywords the ``attn`` / ``ffn`` / ``norm`` blocks do not take."""
    check_slot_config(attn, 'attn', dict(dim=dim, num_heads=num_heads), owner)
    check_slot_config(ffn, 'ffn', dict(dim=dim), owner)
    check_slot_config(norm, 'norm', dict(dim=dim), owner)


def add_residual(
    x: torch.Tensor, module: torch.nn.Module, inp: torch.Tensor, **kwargs: Any
) -> torch.Tensor:
    """``x + module(inp, **kwargs)``; a module with ``fuses_residual`` adds ``x``.

    Such modules (``GDFN``, ``CBFN``, ``SEFN``, ``ChannelAttention``, ``SCAL``)
    return ``residual + out`` on the autograd path and add it inside their last
    matrix product on the CPU inference path (no separate pass over the map).
    """
    if getattr(module, 'fuses_residual', False) and _forward_takes_residual(
        type(module)
    ):
        return module(inp, residual=x, **kwargs)
    return x + module(inp, **kwargs)


def takes_spatial(module: object) -> bool:
    """Whether ``module`` wants the block's raw input as ``spatial`` (``SEFN``)."""
    return bool(getattr(module, 'takes_spatial', False))


def spatial_kwargs(wanted: bool, raw: torch.Tensor) -> dict[str, torch.Tensor]:
    """``{'spatial': raw}`` when ``wanted``, else ``{}`` (a plain FFN call).

    Args:
        wanted (bool): the FFN declares ``takes_spatial`` (:func:`takes_spatial`).
        raw (Tensor): (N, C, H, W) the block's input before any residual.
    """
    return {'spatial': raw} if wanted else {}


@functools.cache
def _forward_takes_residual(cls: type) -> bool:
    """Whether ``cls.forward`` has a ``residual`` parameter.

    A subclass that overrides ``forward`` without it (a user's variant of
    ``GDFN``, say) inherits ``fuses_residual`` but is called the plain way.
    """
    return 'residual' in inspect.signature(cls.forward).parameters


def common_size_divisor(*modules: object) -> int:
    """Least common multiple of the modules' ``size_divisor`` (1 when absent).

    A block whose branches need H and W multiples of their own ``size_divisor``
    (window or patch sizes) needs multiples of all of them.
    """
    return math.lcm(*(int(getattr(m, 'size_divisor', 1)) for m in modules))


@MODELS.register_module()
class SandwichBlock(BaseModule):
    """HINT's sandwich block (reference-models §2.2): FFN -> attention -> FFN.

    ``x0 = x; x += ffn1(norm1(x)); x += attn(norm2(x)); x += ffn2(norm3(x))``.
    An FFN that declares ``takes_spatial = True`` (:class:`SEFN`) gets the
    block's raw input as ``spatial=x0`` in both calls, as in :class:`AttnFFNBlock`.

    Args:
        dim (int): Channels C.
        num_heads (int): Heads of the attention.
        attn (dict, optional): Attention config, built with ``dim`` and
            ``num_heads``. Defaults to ``dict(type='SCAL')``.
        ffn (dict, optional): FFN config, built with ``dim``. Defaults to
            ``dict(type='GDFN', expansion=2.66)``.
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
        attn, ffn, norm = _defaults(attn, ffn, norm)
        _check_slots(type(self).__name__, dim, num_heads, attn, ffn, norm)
        self.norm1 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn1 = MODELS.build(ffn, default_args=dict(dim=dim))
        self.norm2 = MODELS.build(norm, default_args=dict(dim=dim))
        self.attn = MODELS.build(attn, default_args=dict(dim=dim, num_heads=num_heads))
        self.norm3 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn2 = MODELS.build(ffn, default_args=dict(dim=dim))
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
        x = add_residual(x, self.ffn1, self.norm1(x), **extra)
        x = add_residual(x, self.attn, self.norm2(x))
        return add_residual(x, self.ffn2, self.norm3(x), **extra)


@MODELS.register_module()
class AttnFFNBlock(BaseModule):
    """Restormer ordering: ``x0 = x; x += attn(norm1(x)); x += ffn(norm2(x))``.

    An FFN that declares ``takes_spatial = True`` (SEM-Net's :class:`SEFN`) is
    called as ``ffn(norm2(x), spatial=x0)`` with the block's raw input ``x0``.

    Args:
        dim (int): Channels C.
        num_heads (int): Heads of the attention.
        attn (dict, optional): Attention / token-mixer config, built with ``dim``
            and ``num_heads``. Defaults to :attr:`default_attn`.
        ffn (dict, optional): FFN config, built with ``dim``. Defaults to
            :attr:`default_ffn`.
        norm (dict, optional): Norm config, built with ``dim``. Defaults to
            ``dict(type='ChannelLayerNorm')``.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    default_attn = dict(type='SCAL')
    default_ffn = dict(type='GDFN', expansion=2.66)

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
        attn = dict(attn) if attn is not None else dict(self.default_attn)
        ffn = dict(ffn) if ffn is not None else dict(self.default_ffn)
        norm = dict(norm) if norm is not None else dict(type='ChannelLayerNorm')
        _check_slots(type(self).__name__, dim, num_heads, attn, ffn, norm)
        self.norm1 = MODELS.build(norm, default_args=dict(dim=dim))
        self.attn = MODELS.build(attn, default_args=dict(dim=dim, num_heads=num_heads))
        self.norm2 = MODELS.build(norm, default_args=dict(dim=dim))
        self.ffn = MODELS.build(ffn, default_args=dict(dim=dim))
        self.ffn_takes_spatial = takes_spatial(self.ffn)
        self.size_divisor = common_size_divisor(self.attn, self.ffn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block.

        Args:
            x (Tensor): (N, C, H, W), H and W multiples of :attr:`size_divisor`.

        Returns:
            Tensor: (N, C, H, W).
        """
        x_before = x
        x = add_residual(x, self.attn, self.norm1(x))
        if self.ffn_takes_spatial:
            return add_residual(x, self.ffn, self.norm2(x), spatial=x_before)
        return add_residual(x, self.ffn, self.norm2(x))
