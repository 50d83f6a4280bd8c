"""Reusable layers: norms, FFNs, embeddings, samplers, attention, blocks."""

from inpaintzoo.models.layers.attention import SCAL, ChannelAttention, SpatialGate
from inpaintzoo.models.layers.blocks import AttnFFNBlock, SandwichBlock
from inpaintzoo.models.layers.cbfn import CBFN
from inpaintzoo.models.layers.embedding import ConvEmbedding, GatedEmbedding
from inpaintzoo.models.layers.ffn import GDFN
from inpaintzoo.models.layers.hybrid_block import HybridBlock
from inpaintzoo.models.layers.mamba_layer import MambaLayer
from inpaintzoo.models.layers.mamba_mixer import MambaMixer
from inpaintzoo.models.layers.norm import ChannelLayerNorm
from inpaintzoo.models.layers.sampling import (
    MaskAwareDownsample,
    PixelShuffleUpsample,
    PixelUnshuffleDownsample,
    StridedConvDownsample,
    interleave_mask,
)
from inpaintzoo.models.layers.sefn import SEFN
from inpaintzoo.models.layers.sem_block import SEMBlock
from inpaintzoo.models.layers.snake_mamba import SnakeMambaBlock
from inpaintzoo.models.layers.srsa import SRSA

__all__ = [
    'CBFN',
    'GDFN',
    'SCAL',
    'SEFN',
    'SRSA',
    'AttnFFNBlock',
    'ChannelAttention',
    'ChannelLayerNorm',
    'ConvEmbedding',
    'GatedEmbedding',
    'HybridBlock',
    'MambaLayer',
    'MambaMixer',
    'MaskAwareDownsample',
    'PixelShuffleUpsample',
    'PixelUnshuffleDownsample',
    'SEMBlock',
    'SandwichBlock',
    'SnakeMambaBlock',
    'SpatialGate',
    'StridedConvDownsample',
    'interleave_mask',
]
