"""SEM block of SEM-Net (reference-models §4.1): token mixer + spatial FFN."""

from inpaintzoo.models.layers.blocks import AttnFFNBlock
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class SEMBlock(AttnFFNBlock):
    """``x0 = x; x += attn(norm1(x)); x += ffn(norm2(x), spatial=x0)``.

    :class:`AttnFFNBlock` with SEM-Net's defaults: the Snake Mamba Block
    (:class:`MambaMixer` with ``BiSnakeScan``) as token mixer and the
    spatially-enhanced FFN (:class:`SEFN`), which receives the block's raw input
    ``x0``. Any other attention-slot module
    (:class:`ChannelAttention`, :class:`SCAL`, ...) or a plain :class:`GDFN` (called
    as ``ffn(norm2(x))``) can be swapped in for ablations. Arguments as
    :class:`AttnFFNBlock` (``num_heads`` is ignored by the Mamba mixer).

    Shapes: ``forward(x)``: ``(N, C, H, W) -> (N, C, H, W)`` with ``C = dim``.
    """

    default_attn = dict(type='MambaMixer', scanner=dict(type='BiSnakeScan'))
    default_ffn = dict(type='SEFN', expansion=2.0)
