"""Key tables and config builders for the official HINT generator and PatchGAN.

Official names (reference-models §2.3, §1.7) -> inpaintzoo names. Later
architectures (``mxt``, ``sem_net``, ``nclg``) add their own module with a
:class:`KeyConverter` and an entry in :data:`CONFIG_BUILDERS`.
"""

from collections.abc import Callable

from inpaintzoo.models.converters.key_mapping import KeyConverter, register_converter
from inpaintzoo.utils.errors import ConfigError

# Official U-Net stage names -> InpaintUNet attributes.
UNET_STAGES = [
    ('encoder_level1', 'encoder1'),
    ('encoder_level2', 'encoder2'),
    ('encoder_level3', 'encoder3'),
    ('latent', 'latent'),
    ('decoder_level3', 'decoder3'),
    ('decoder_level2', 'decoder2'),
    ('decoder_level1', 'decoder1'),
]

# Inside one HINT sandwich block (official -> SandwichBlock). Order matters:
# ``norm1_1`` must be tried before ``norm1``.
SANDWICH_BLOCK = [
    ('norm1_1.body.{p}', 'norm1.{p}'),
    ('ffn1.project_in.{p}', 'ffn1.project_in.{p}'),
    ('ffn1.dwconv.{p}', 'ffn1.dwconv.{p}'),
    ('ffn1.project_out.{p}', 'ffn1.project_out.{p}'),
    ('norm1.body.{p}', 'norm2.{p}'),
    ('attn.temperature', 'attn.temperature'),
    ('attn.qkv.{p}', 'attn.qkv.{p}'),
    ('attn.qkv_dwconv.{p}', 'attn.qkv_dwconv.{p}'),
    ('attn.project_out.{p}', 'attn.project_out.{p}'),
    ('attn.conv.0.{p}', 'attn.spatial.conv1.{p}'),
    ('attn.conv.1.body.{p}', 'attn.spatial.norm1.{p}'),
    ('attn.conv.3.{p}', 'attn.spatial.conv2.{p}'),
    ('attn.conv.4.body.{p}', 'attn.spatial.norm2.{p}'),
    ('norm2.body.{p}', 'norm3.{p}'),
    ('ffn.project_in.{p}', 'ffn2.project_in.{p}'),
    ('ffn.dwconv.{p}', 'ffn2.dwconv.{p}'),
    ('ffn.project_out.{p}', 'ffn2.project_out.{p}'),
]

HINT_TOP = [
    ('patch_embed.gproj1.{p}', 'embed.proj.{p}'),
    ('down1_2.body.0.{p}', 'down1.conv.{p}'),
    ('down1_2.proj.{p}', 'down1.fuse.{p}'),
    ('down2_3.body.0.{p}', 'down2.conv.{p}'),
    ('down2_3.proj.{p}', 'down2.fuse.{p}'),
    ('down3_4.body.0.{p}', 'down3.conv.{p}'),
    ('down3_4.proj.{p}', 'down3.fuse.{p}'),
    ('up4_3.body.0.{p}', 'up3.conv.{p}'),
    ('up3_2.body.0.{p}', 'up2.conv.{p}'),
    ('up2_1.body.0.{p}', 'up1.conv.{p}'),
    ('reduce_chan_level3.{p}', 'reduce3.{p}'),
    ('reduce_chan_level2.{p}', 'reduce2.{p}'),
    ('output.0.{p}', 'output.{p}'),
]


def unet_block_pairs(block: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Expand in-block pairs over the seven U-Net stages (block index ``{i}``)."""
    return [
        (f'{off}.{{i}}.{a}', f'{ours}.{{i}}.{b}')
        for off, ours in UNET_STAGES
        for a, b in block
    ]


HINT = register_converter(
    KeyConverter(
        arch='hint',
        checkpoint_key='generator',
        pairs=HINT_TOP + unet_block_pairs(SANDWICH_BLOCK),
    )
)

DISCRIMINATOR = register_converter(
    KeyConverter(
        arch='discriminator',
        checkpoint_key='discriminator',
        pairs=[('conv{k}.0.{s}', 'conv{k}.{s}')],
        alternatives=[
            ('conv{k}.0.parametrizations.weight.original', 'conv{k}.weight_orig'),
            ('conv{k}.0.parametrizations.weight.0._u', 'conv{k}.weight_u'),
            ('conv{k}.0.parametrizations.weight.0._v', 'conv{k}.weight_v'),
        ],
        # ``features`` is a second name of the first conv block (conv1).
        aliases=[
            ('features.0.{s}', 'conv1.0.{s}'),
            (
                'features.0.parametrizations.weight.original',
                'conv1.0.parametrizations.weight.original',
            ),
            (
                'features.0.parametrizations.weight.0._u',
                'conv1.0.parametrizations.weight.0._u',
            ),
            (
                'features.0.parametrizations.weight.0._v',
                'conv1.0.parametrizations.weight.0._v',
            ),
        ],
    )
)


def _require(kwargs: dict, keys: tuple[str, ...], arch: str) -> None:
    missing = [k for k in keys if k not in kwargs]
    if missing:
        raise ConfigError(f'official {arch!r} constructor kwargs lack {missing}')


#: official defaults shared by the HINT, MxT and SEM-Net constructors
UNET_DEFAULTS = dict(
    inp_channels=4,
    out_channels=3,
    dim=48,
    num_blocks=[4, 6, 6, 8],
    heads=[1, 2, 4, 8],
    bias=False,
    LayerNorm_type='WithBias',
)


def merge_official_kwargs(name: str, kwargs: dict, **defaults) -> dict:
    """Official kwargs of a U-Net model with the official defaults filled in.

    Args:
        name (str): model name for messages (``'HINT'``).
        kwargs (dict): given official constructor kwargs.
        **defaults: model-specific defaults on top of :data:`UNET_DEFAULTS`.

    Raises:
        ConfigError: unknown kwargs, or an unknown ``LayerNorm_type``.
    """
    known = {**UNET_DEFAULTS, **defaults}
    unknown = sorted(set(kwargs) - set(known))
    if unknown:
        raise ConfigError(
            f'unknown official {name} kwargs {unknown}; known: {sorted(known)}'
        )
    kw = {**known, **kwargs}
    if kw['LayerNorm_type'] not in ('WithBias', 'BiasFree'):
        raise ConfigError(
            "LayerNorm_type must be 'WithBias' or 'BiasFree', "
            f'got {kw["LayerNorm_type"]!r}'
        )
    return kw


def unet_config(kw: dict, embed: str, block: dict, down: str, **extra) -> dict:
    """``InpaintUNet`` config from merged official kwargs and the model's blocks.

    ``block`` gets the channel LayerNorm of ``LayerNorm_type``; every conv takes
    the official ``bias`` flag.
    """
    bias = bool(kw['bias'])
    norm = dict(type='ChannelLayerNorm', bias=kw['LayerNorm_type'] == 'WithBias')
    return dict(
        type='InpaintUNet',
        in_channels=int(kw['inp_channels']) - 1,
        out_channels=int(kw['out_channels']),
        dim=int(kw['dim']),
        num_blocks=list(kw['num_blocks']),
        num_heads=list(kw['heads']),
        embed=dict(type=embed, bias=bias),
        block=dict(block, norm=norm),
        down=dict(type=down),
        up=dict(type='PixelShuffleUpsample'),
        concat_mask=True,
        fill_value=1.0,
        bias=bias,
        **extra,
    )


def hint_config(kwargs: dict) -> dict:
    """``InpaintUNet`` config equal to official ``HINT(**kwargs)``.

    Missing kwargs take the official defaults (dim 48, blocks [4, 6, 6, 8], heads
    [1, 2, 4, 8], ffn 2.66, bias False, WithBias LayerNorm, 4 -> 3 channels).
    """
    kw = merge_official_kwargs('HINT', kwargs, ffn_expansion_factor=2.66)
    bias = bool(kw['bias'])
    expansion = float(kw['ffn_expansion_factor'])
    block = dict(
        type='SandwichBlock',
        attn=dict(type='SCAL', bias=bias),
        ffn=dict(type='GDFN', expansion=expansion, bias=bias),
    )
    return unet_config(kw, 'GatedEmbedding', block, 'MaskAwareDownsample')


def discriminator_config(kwargs: dict) -> dict:
    """``PatchDiscriminator`` config equal to official ``Discriminator(**kwargs)``."""
    known = {'in_channels', 'use_sigmoid', 'use_spectral_norm', 'init_weights'}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ConfigError(f'unknown official Discriminator kwargs {unknown}')
    _require(kwargs, ('in_channels',), 'discriminator')
    return dict(
        type='PatchDiscriminator',
        in_channels=int(kwargs['in_channels']),
        use_sigmoid=bool(kwargs.get('use_sigmoid', True)),
        use_spectral_norm=bool(kwargs.get('use_spectral_norm', True)),
    )


CONFIG_BUILDERS: dict[str, Callable[[dict], dict]] = {
    'hint': hint_config,
    'discriminator': discriminator_config,
}


def official_kwargs_to_config(arch: str, kwargs: dict) -> dict:
    """Model config from a fixture's ``config.json`` ``constructor_kwargs``."""
    if arch not in CONFIG_BUILDERS:
        raise ConfigError(
            f'no config builder for arch {arch!r}; known: {sorted(CONFIG_BUILDERS)}'
        )
    return CONFIG_BUILDERS[arch](dict(kwargs))
