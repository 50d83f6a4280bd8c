"""Reusable layers: norms, FFNs, embeddings, samplers, attention, blocks."""

from inpaintzoo.models.layers.attention import SCAL, ChannelAttention, SpatialGate
from inpaintzoo.models.layers.blocks import AttnFFNBlock, SandwichBlock
from inpaintzoo.models.layers.cbfn import CBFN
from inpaintzoo.models.layers.conformer import ConformerBlock, ConformerConvModule
from inpaintzoo.models.layers.embedding import ConvEmbedding, GatedEmbedding
from inpaintzoo.models.layers.ffn import GDFN
from inpaintzoo.models.layers.gelu_gate import ConvGELUGate
from inpaintzoo.models.layers.hybrid_block import HybridBlock
from inpaintzoo.models.layers.identity_block import IdentityBlock
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
from inpaintzoo.models.layers.spatial_self_attention import SpatialSelfAttention
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
    'ConformerBlock',
    'ConformerConvModule',
    'ConvEmbedding',
    'ConvGELUGate',
    'DilatedResBlock',
    'FeatureFusion',
    'GatedEmbedding',
    'HybridBlock',
    'IdentityBlock',
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
    'SpatialSelfAttention',
    'StridedConvDownsample',
    'interleave_mask',
    'rasterize_landmarks',
]
