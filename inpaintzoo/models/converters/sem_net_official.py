"""Key table and config builder for the official SEM-Net generator (reference §4.4).

Official ``SEM`` (ChrisChen1023/SEM-Net ``src/networks.py``) -> ``InpaintUNet`` with
:class:`SEMBlock` (``SnakeMambaBlock`` + ``SEFN``). The converter drops the
documented dead keys, which the official forward never reaches: every block's
``norm1_1`` + ``ffn1`` (a whole second SEFN), ``down*.proj``, the ``refinement``
stage and ``output_before``. At paper size that is 56,661,696 of 138,099,744
parameters; the remaining 81,438,048 are the network.
"""

from inpaintzoo.models.converters.key_mapping import KeyConverter, register_converter
from inpaintzoo.models.converters.official import (
    CONFIG_BUILDERS,
    UNET_STAGES,
    merge_official_kwargs,
    unet_block_pairs,
    unet_config,
)

# Parameter names of one mamba-ssm ``Mamba`` (kept verbatim by ``MambaBlock``).
MAMBA_PARAMS = [
    'A_log',
    'D',
    'in_proj.{p}',
    'conv1d.{p}',
    'x_proj.{p}',
    'dt_proj.{p}',
    'out_proj.{p}',
]

# SEFN keys inside one block (official ``ffn.*`` / dead ``ffn1.*`` -> ours).
SEFN_PAIRS = [
    ('project_in.{p}', 'project_in.{p}'),
    ('dwconv.{p}', 'dwconv.{p}'),
    ('fusion.{p}', 'fusion.{p}'),
    ('dwconv_afterfusion.{p}', 'dwconv_afterfusion.{p}'),
    ('project_out.{p}', 'project_out.{p}'),
    ('conv.0.{p}', 'spatial.conv1.{p}'),
    ('conv.1.body.{p}', 'spatial.norm1.{p}'),
    ('conv.3.{p}', 'spatial.conv2.{p}'),
    ('conv.4.body.{p}', 'spatial.norm2.{p}'),
]

# Inside one SEM block (official ``TransformerBlock`` -> ``SEMBlock``). Sequence 1
# (row snake) = ``attn.norm``/``attn.mamba``; sequence 2 (column snake) =
# ``attn.norm2``/``attn.mamba2`` -> index 0 / 1 of ``BiSnakeScan``'s sequences.
SEM_BLOCK = (
    [('norm1.body.{p}', 'norm1.{p}')]
    + [('attn.norm.{p}', 'attn.norms.0.{p}'), ('attn.norm2.{p}', 'attn.norms.1.{p}')]
    + [(f'attn.mamba.{m}', f'attn.mambas.0.{m}') for m in MAMBA_PARAMS]
    + [(f'attn.mamba2.{m}', f'attn.mambas.1.{m}') for m in MAMBA_PARAMS]
    + [('norm2.body.{p}', 'norm2.{p}')]
    + [(f'ffn.{a}', f'ffn.{b}') for a, b in SEFN_PAIRS]
)

SEM_TOP = [
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

_DEAD_IN_BLOCK = ['norm1_1.body.{p}'] + [f'ffn1.{a}' for a, _ in SEFN_PAIRS]
SEM_DEAD = (
    [f'{off}.{{i}}.{key}' for off, _ in UNET_STAGES for key in _DEAD_IN_BLOCK]
    + ['down1_2.proj.{p}', 'down2_3.proj.{p}', 'down3_4.proj.{p}']
    + ['output_before.{p}']
    + [f'refinement.{{i}}.{key}' for key in _DEAD_IN_BLOCK]
    + [f'refinement.{{i}}.{off}' for off, _ in SEM_BLOCK]
)

SEM_NET = register_converter(
    KeyConverter(
        arch='sem_net',
        checkpoint_key='generator',
        pairs=SEM_TOP + unet_block_pairs(SEM_BLOCK),
        dead=SEM_DEAD,
    )
)


def sem_net_config(kwargs: dict) -> dict:
    """``InpaintUNet`` config equal to official ``SEM(**kwargs)``.

    Missing kwargs take the official defaults (dim 48, blocks [4, 6, 6, 8], heads
    [1, 2, 4, 8] (unused by the network), ffn factor 2, bias False, WithBias
    LayerNorm, 4 -> 3 channels). ``num_refinement_blocks`` only sizes the dead
    ``refinement`` stage and is ignored.

    Args:
        kwargs (dict): official constructor kwargs (``config.json``).

    Returns:
        dict: generator config for ``MODELS.build``.

    Raises:
        ConfigError: unknown kwargs or an unknown ``LayerNorm_type``.
    """
    kw = merge_official_kwargs(
        'SEM-Net', kwargs, num_refinement_blocks=4, ffn_expansion_factor=2
    )
    bias = bool(kw['bias'])
    expansion = float(kw['ffn_expansion_factor'])
    block = dict(
        type='SEMBlock',
        attn=dict(type='SnakeMambaBlock', scanner=dict(type='BiSnakeScan')),
        ffn=dict(type='SEFN', expansion=expansion, bias=bias),
    )
    return unet_config(kw, 'ConvEmbedding', block, 'PixelUnshuffleDownsample')


CONFIG_BUILDERS['sem_net'] = sem_net_config
