"""Reusable layers: norms, FFNs, embeddings, samplers, attention, blocks."""

from inpaintzoo.models.layers.attention import SCAL, ChannelAttention, SpatialGate
from inpaintzoo.models.layers.blocks import AttnFFNBlock, SandwichBlock
from inpaintzoo.models.layers.cbfn import CBFN
from inpaintzoo.models.layers.embedding import ConvEmbedding, GatedEmbedding
from inpaintzoo.models.layers.ffn import GDFN
from inpaintzoo.models.layers.hybrid_block import HybridBlock
from inpaintzoo.models.layers.mamba_layer import MambaLayer
from inpaintzoo.models.layers.mamba_mixer import MambaMixer
from inpaintzoo.models.layers.nclg_attention import ShortLongAttention
from inpaintzoo.models.layers.nclg_fusion import FeatureFusion
from inpaintzoo.models.layers.nclg_gated_conv import NCLGGatedConv
from inpaintzoo.models.layers.nclg_landmark import (
    LandmarkPredictor,
    rasterize_landmarks,
)
from inpaintzoo.models.layers.nclg_res_blocks import DilatedResBlock, SNResBlock
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
    'DilatedResBlock',
    'FeatureFusion',
    'GatedEmbedding',
    'HybridBlock',
    'LandmarkPredictor',
    'MambaLayer',
    'MambaMixer',
    'MaskAwareDownsample',
    'NCLGGatedConv',
    'PixelShuffleUpsample',
    'PixelUnshuffleDownsample',
    'SEMBlock',
    'SNResBlock',
    'SandwichBlock',
    'ShortLongAttention',
    'SnakeMambaBlock',
    'SpatialGate',
    'StridedConvDownsample',
    'interleave_mask',
    'rasterize_landmarks',
]
