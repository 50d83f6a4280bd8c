"""Key table and config builder for the official MxT generator (reference-models §3).

Only modules that run in the official forward exist in inpaintzoo's MxT; the
converter drops the documented dead keys (§3.6, 117,647,236 of 155,257,780
parameters at paper size) and reports them in ``ConversionResult.dropped``.
The official forward also receives PE tables (recomputed internally here, same
values) and spiral scan orders (unused by the official layer; not needed here).
"""

from inpaintzoo.models.converters.key_mapping import KeyConverter, register_converter
from inpaintzoo.models.converters.official import (
    CONFIG_BUILDERS,
    UNET_STAGES,
    merge_official_kwargs,
    unet_block_pairs,
    unet_config,
)

# mamba-ssm ``Mamba`` parameter names (identical in inpaintzoo's MambaBlock).
MAMBA_KEYS = [
    'in_proj.{p}',
    'conv1d.{p}',
    'x_proj.{p}',
    'dt_proj.{p}',
    'A_log',
    'D',
    'out_proj.{p}',
]

# Hybrid Module (official ``TransformerBlock``) -> HybridBlock, used keys only.
HYBRID_BLOCK = [
    ('norm1.body.{p}', 'norm1.{p}'),
    ('mam.norm.{p}', 'mamba.norm.{p}'),
    *[(f'mam.mamba.{k}', f'mamba.mamba.{k}') for k in MAMBA_KEYS],
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

# Declared in every official block but never called (§3.6).
DEAD_BLOCK_KEYS = [
    'norm1_1.body.{p}',
    *[
        f'ffn1.{k}'
        for k in ('project_in.{p}', 'dwconv.{p}', 'project_out.{p}', *_SPATIAL_FFN_DEAD)
    ],
    'mam.norm2.{p}',
    *[f'mam.mamba2.{k}' for k in MAMBA_KEYS],
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

MXT_TOP = [
    ('patch_embed.gproj1.{p}', 'embed.proj.{p}'),
    ('down1_2.body.0.{p}', 'down1.conv.{p}'),
    ('down2_3.body.0.{p}', 'down2.conv.{p}'),
    ('down3_4.body.0.{p}', 'down3.conv.{p}'),
    ('up4_3.body.0.{p}', 'up3.conv.{p}'),
    ('up3_2.body.0.{p}', 'up2.conv.{p}'),
    ('up2_1.body.0.{p}', 'up1.conv.{p}'),
    ('reduce_chan_level3.{p}', 'reduce3.{p}'),
    ('reduce_chan_level2.{p}', 'reduce2.{p}'),
    ('output.0.{p}', 'output.{p}'),
]

# Whole dead modules: MPD remnants, the refinement stage, ``output_before``.
DEAD_TOP = [
    'down1_2.proj.{p}',
    'down2_3.proj.{p}',
    'down3_4.proj.{p}',
    'output_before.{p}',
    *[f'refinement.{{i}}.{k}' for k, _ in HYBRID_BLOCK],
    *[f'refinement.{{i}}.{k}' for k in DEAD_BLOCK_KEYS],
]

MXT_DEAD = DEAD_TOP + [
    f'{stage}.{{i}}.{k}' for stage, _ in UNET_STAGES for k in DEAD_BLOCK_KEYS
]

MXT = register_converter(
    KeyConverter(
        arch='mxt',
        checkpoint_key='generator',
        pairs=MXT_TOP + unet_block_pairs(HYBRID_BLOCK),
        dead=MXT_DEAD,
    )
)


def mxt_config(kwargs: dict) -> dict:
    """``InpaintUNet`` config computing the same function as official ``MxT(**kwargs)``.

    Missing kwargs take the official defaults. ``num_refinement_blocks`` only sizes
    the official dead ``refinement`` stage and is ignored.

    Args:
        kwargs (dict): Official constructor kwargs.

    Returns:
        dict: Generator config (HybridBlock = MambaLayer(raster) || SRSA, CBFN).
    """
    kw = merge_official_kwargs(
        'MxT', kwargs, num_refinement_blocks=4, ffn_expansion_factor=2
    )
    bias = bool(kw['bias'])
    expansion = float(kw['ffn_expansion_factor'])
    block = dict(
        type='HybridBlock',
        mamba=dict(type='MambaLayer', scanner=dict(type='RasterScan')),
        attn=dict(type='SRSA', pool_size=8, bias=bias),
        ffn=dict(type='CBFN', expansion=expansion, bias=bias),
        bias=bias,
    )
    return unet_config(
        kw,
        'GatedEmbedding',
        block,
        'PixelUnshuffleDownsample',
        stride=8,
        pad_mode='reflect',
    )


CONFIG_BUILDERS['mxt'] = mxt_config
