"""Official MxT generator (reference-models §3) -> ``configs/_base_/models/mxt.py``.

Only modules that run in the official forward exist in inpaintzoo's MxT; the
converter drops the documented dead keys (§3.6, 117,647,236 of 155,257,780
parameters at paper size) and reports them in ``ConversionResult.dropped``.
The official forward also receives PE tables (recomputed internally here, same
values) and spiral scan orders (unused by the official layer; not needed here).
"""

from typing import ClassVar

from inpaintzoo.models.converters.official_unet import (
    MAMBA_PARAMS,
    MAMBA_UNET_DEFAULTS,
    UNetOfficialConverter,
    mamba_unet_dead_keys,
    mixer_pairs,
)
from inpaintzoo.registry import CONVERTERS

#: Hybrid Module (official ``TransformerBlock``) -> ``HybridBlock``, used keys only.
#: The Mamba branch ``mam.norm``/``mam.mamba`` is the raster ``MambaMixer``'s only
#: sequence (``mamba.norms.0`` / ``mamba.mambas.0``).
HYBRID_BLOCK = [
    ('norm1.body.{p}', 'norm1.{p}'),
    *mixer_pairs('mam.', 'mamba.', ['']),
    ('norm3.body.{p}', 'norm3.{p}'),
    ('attn.qkv2.{p}', 'attn.qkv.{p}'),
    ('attn.qkv_dwconv2.{p}', 'attn.qkv_dwconv.{p}'),
    ('attn.temperature2', 'attn.temperature'),
    ('attn.lce.{p}', 'attn.lce.{p}'),
    ('attn.project_out.{p}', 'attn.project_out.{p}'),
    ('fuse.{p}', 'fuse.{p}'),
    ('norm2.body.{p}', 'norm2.{p}'),
    ('ffn.project_in.{p}', 'ffn.project_in.{p}'),
    ('ffn.dwconv.{p}', 'ffn.dwconv.{p}'),
    ('ffn.project_out.{p}', 'ffn.project_out.{p}'),
]

_SPATIAL_FFN_DEAD = [
    'fusion.{p}',
    'dwconv_afterfusion.{p}',
    'conv.1.{p}',
    'conv.2.body.{p}',
    'conv.5.{p}',
    'conv.6.body.{p}',
]

#: declared in every official block but never called (§3.6)
DEAD_BLOCK_KEYS = [
    'norm1_1.body.{p}',
    *[
        f'ffn1.{k}'
        for k in ('project_in.{p}', 'dwconv.{p}', 'project_out.{p}', *_SPATIAL_FFN_DEAD)
    ],
    'mam.norm2.{p}',
    *[f'mam.mamba2.{k}' for k in MAMBA_PARAMS],
    'mam.conv1.{p}',
    'mam.conv2.{p}',
    'attn.qkv.{p}',
    'attn.qkv_dwconv.{p}',
    'attn.conv.0.{p}',
    'attn.conv.1.body.{p}',
    'attn.conv.3.{p}',
    'attn.conv.4.body.{p}',
    *[f'ffn.{k}' for k in _SPATIAL_FFN_DEAD],
]


@CONVERTERS.register_module(name='mxt')
class MxTConverter(UNetOfficialConverter):
    """Official ``MxT(**kwargs)`` = ``InpaintUNet`` with Hybrid Modules.

    Official defaults as HINT but FFN factor 2; ``num_refinement_blocks`` only
    sizes the dead ``refinement`` stage and is ignored.
    """

    arch = 'mxt'
    official_name = 'MxT'
    signature = (r'\.mam\.mamba\.',)
    detect_priority = 10
    base_config = '_base_/models/mxt.py'
    official_defaults: ClassVar[dict] = dict(MAMBA_UNET_DEFAULTS)
    block_pairs = HYBRID_BLOCK
    dead_keys: ClassVar[list[str]] = mamba_unet_dead_keys(
        [official for official, _ in HYBRID_BLOCK], DEAD_BLOCK_KEYS
    )
    # SRSA and the 1x1 fusion of the two branches take the official bias flag
    bias_paths = (
        'embed.bias',
        'block.attn.bias',
        'block.ffn.bias',
        'block.bias',
        'bias',
    )
    temperature_key = 'attn.temperature2'
    embed_factor = 2
