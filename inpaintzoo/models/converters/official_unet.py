"""What the official HINT, MxT and SEM-Net generators share (reference-models §1.7).

All three are the same Restormer-style U-Net (``encoder_level1`` .. ``decoder_level1``,
``patch_embed``, ``down*``/``up*``, ``reduce_chan_level*``, ``output``) with the
same constructor kwargs; they differ in the block and a few top-level modules.
:class:`UNetOfficialConverter` turns those kwargs into overrides of the
``InpaintUNet`` base config and reads them back off a state dict.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from inpaintzoo.models.converters.base import OfficialConverter
from inpaintzoo.models.converters.key_mapping import KeyConverter
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

#: official U-Net stage names -> ``InpaintUNet`` attributes
UNET_STAGES = [
    ('encoder_level1', 'encoder1'),
    ('encoder_level2', 'encoder2'),
    ('encoder_level3', 'encoder3'),
    ('latent', 'latent'),
    ('decoder_level3', 'decoder3'),
    ('decoder_level2', 'decoder2'),
    ('decoder_level1', 'decoder1'),
]

#: top-level modules every official U-Net has (embedding, samplers, reductions, head)
UNET_TOP = [
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

#: the fusion convs of mask-aware down-sampling (MPD); dead in MxT / SEM-Net
MPD_FUSE = [
    ('down1_2.proj.{p}', 'down1.fuse.{p}'),
    ('down2_3.proj.{p}', 'down2.fuse.{p}'),
    ('down3_4.proj.{p}', 'down3.fuse.{p}'),
]

#: parameter names of one mamba-ssm ``Mamba`` (kept verbatim by ``MambaBlock``)
MAMBA_PARAMS = [
    'in_proj.{p}',
    'conv1d.{p}',
    'x_proj.{p}',
    'dt_proj.{p}',
    'A_log',
    'D',
    'out_proj.{p}',
]

#: defaults of the official HINT / MxT / SEM-Net constructors
UNET_DEFAULTS = dict(
    inp_channels=4,
    out_channels=3,
    dim=48,
    num_blocks=[4, 6, 6, 8],
    heads=[1, 2, 4, 8],
    bias=False,
    LayerNorm_type='WithBias',
)

#: defaults of the official MxT / SEM-Net constructors: HINT's U-Net with FFN
#: factor 2; ``num_refinement_blocks`` only sizes their dead ``refinement`` stage
MAMBA_UNET_DEFAULTS = dict(
    UNET_DEFAULTS, num_refinement_blocks=4, ffn_expansion_factor=2
)

_ENCODER = ('encoder_level1', 'encoder_level2', 'encoder_level3', 'latent')


def mamba_unet_dead_keys(live_block: list[str], dead_block: list[str]) -> list[str]:
    """Documented dead keys of the official MxT / SEM-Net generators.

    Both declare modules their forward never reaches: some keys inside every
    block, the MPD fusion convs, ``output_before`` and the whole ``refinement``
    stage (whose blocks hold live-shaped and dead keys alike).

    Args:
        live_block (list[str]): official in-block templates of the keys the
            forward uses (dead only inside ``refinement``).
        dead_block (list[str]): official in-block templates never used.

    Returns:
        list[str]: official key templates (``{i}`` = block index, ``{p}`` =
        ``weight``/``bias``).
    """
    return (
        [f'{stage}.{{i}}.{key}' for stage, _ in UNET_STAGES for key in dead_block]
        + [official for official, _ in MPD_FUSE]
        + ['output_before.{p}']
        + [f'refinement.{{i}}.{key}' for key in live_block + dead_block]
    )


def unet_block_pairs(block: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Expand in-block pairs over the seven U-Net stages (block index ``{i}``)."""
    return [
        (f'{off}.{{i}}.{a}', f'{ours}.{{i}}.{b}')
        for off, ours in UNET_STAGES
        for a, b in block
    ]


def mixer_pairs(official: str, ours: str, suffixes: list[str]) -> list[tuple[str, str]]:
    """Keys of a :class:`MambaMixer` (``norms.<k>``, ``mambas.<k>``).

    Args:
        official (str): official prefix of the LayerNorm / Mamba pair, e.g.
            ``'mam.'`` (MxT) or ``'attn.'`` (SEM-Net).
        ours (str): our prefix of the mixer, e.g. ``'mamba.'`` or ``'attn.'``.
        suffixes (list[str]): official suffix of sequence ``k`` (``['', '2']``:
            sequence 0 = ``norm``/``mamba``, sequence 1 = ``norm2``/``mamba2``).
    """
    pairs = []
    for k, sfx in enumerate(suffixes):
        pairs.append((f'{official}norm{sfx}.{{p}}', f'{ours}norms.{k}.{{p}}'))
        pairs += [
            (f'{official}mamba{sfx}.{m}', f'{ours}mambas.{k}.{m}') for m in MAMBA_PARAMS
        ]
    return pairs


class UNetOfficialConverter(OfficialConverter):
    """Converter of an official Restormer-style U-Net inpainting generator.

    Subclasses list their key tables and where the official kwargs land in the
    base config (dotted paths).
    """

    official_defaults: ClassVar[dict] = dict(UNET_DEFAULTS)
    #: official names -> ours of the top-level modules
    top_pairs: ClassVar[list[tuple[str, str]]] = UNET_TOP
    #: official names -> ours inside one block (expanded over the stages)
    block_pairs: ClassVar[list[tuple[str, str]]] = []
    #: official templates of documented dead keys
    dead_keys: ClassVar[list[str]] = []
    #: config paths that take the official ``bias`` flag
    bias_paths: ClassVar[tuple[str, ...]] = ('embed.bias', 'block.ffn.bias', 'bias')
    #: config path of the FFN expansion factor
    expansion_path: ClassVar[str] = 'block.ffn.expansion'
    #: in-block key of the per-head temperature (None: heads are unused)
    temperature_key: ClassVar[str | None] = 'attn.temperature'
    #: output channels of ``patch_embed`` per embedding channel (gated = 2)
    embed_factor: ClassVar[int] = 1

    def build_key_converter(self) -> KeyConverter:
        """Top-level pairs + block pairs over all stages + dead keys."""
        return KeyConverter(
            arch=self.arch,
            checkpoint_key=self.checkpoint_key,
            pairs=self.top_pairs + unet_block_pairs(self.block_pairs),
            dead=self.dead_keys,
        )

    def merge_kwargs(self, kwargs: Mapping) -> dict:
        """Official kwargs with defaults; also checks ``LayerNorm_type``."""
        kw = super().merge_kwargs(kwargs)
        if kw['LayerNorm_type'] not in ('WithBias', 'BiasFree'):
            raise ConfigError(
                "LayerNorm_type must be 'WithBias' or 'BiasFree', "
                f'got {kw["LayerNorm_type"]!r}'
            )
        return kw

    def config_overrides(self, kwargs: dict) -> dict[str, Any]:
        """``InpaintUNet`` settings of merged official kwargs.

        The official input carries the mask as its last channel, so
        ``in_channels = inp_channels - 1`` (``concat_mask`` in the base config).
        """
        bias = bool(kwargs['bias'])
        overrides: dict[str, Any] = {
            'in_channels': int(kwargs['inp_channels']) - 1,
            'out_channels': int(kwargs['out_channels']),
            'dim': int(kwargs['dim']),
            'num_blocks': [int(n) for n in kwargs['num_blocks']],
            'num_heads': [int(n) for n in kwargs['heads']],
            'block.norm.bias': kwargs['LayerNorm_type'] == 'WithBias',
            self.expansion_path: float(kwargs['ffn_expansion_factor']),
        }
        overrides.update({path: bias for path in self.bias_paths})
        return overrides

    def infer_kwargs(self, state_dict: Mapping[str, torch.Tensor]) -> dict:
        """Official kwargs read off the tensor shapes.

        Args:
            state_dict (Mapping): official generator state dict (``module.``
                stripped).

        Returns:
            dict: ``inp_channels``, ``out_channels``, ``dim``, ``num_blocks``,
            ``heads`` (the official default when the arch has no per-head
            tensor), ``ffn_expansion_factor``, ``bias`` and ``LayerNorm_type``.

        Raises:
            ConfigError: a key every official checkpoint of this arch has is
                missing.
            CheckpointMismatchError: the embedding or FFN has no channels (a
                cut or damaged file), so no width can be read off.
        """
        try:
            embed = state_dict['patch_embed.gproj1.weight']
            out_w = state_dict['output.0.weight']
            hidden = state_dict['encoder_level1.0.ffn.project_out.weight'].shape[1]
        except KeyError as err:
            raise ConfigError(
                f'not an official {self.arch} state dict: no key {err}'
            ) from None
        dim = embed.shape[0] // self.embed_factor
        if dim < 1 or hidden < 1:
            raise CheckpointMismatchError(
                f'not a usable official {self.arch} state dict: '
                f'patch_embed.gproj1.weight has {embed.shape[0]} output channels '
                f'and the level-1 FFN {hidden} hidden channels, so the width '
                f'(dim = {embed.shape[0]} // {self.embed_factor}) would be {dim}; '
                'the file is cut or damaged'
            )
        blocks = [
            len({int(k.split('.')[1]) for k in state_dict if k.startswith(stage + '.')})
            for stage in _ENCODER
        ]
        temp = self.temperature_key
        heads = (
            [int(state_dict[f'{stage}.0.{temp}'].shape[0]) for stage in _ENCODER]
            if temp
            else list(self.official_defaults['heads'])
        )
        default = self.official_defaults['ffn_expansion_factor']
        expansion = default if int(dim * default) == hidden else hidden / dim
        with_bias = 'encoder_level1.0.norm1.body.bias' in state_dict
        return dict(
            inp_channels=int(embed.shape[1]),
            out_channels=int(out_w.shape[0]),
            dim=int(dim),
            num_blocks=blocks,
            heads=heads,
            ffn_expansion_factor=expansion,
            bias='output.0.bias' in state_dict,
            LayerNorm_type='WithBias' if with_bias else 'BiasFree',
        )
