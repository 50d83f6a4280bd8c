"""Official NCLG-MT discriminator (reference-models §5.5) -> ``PatchDiscriminator``.

The §1.7 PatchGAN plus ``auto_attn`` (short+long attention) after conv2, called
without ``pre``: only ``query_conv`` and ``gamma`` act. -> ``model.discriminator``
of ``configs/_base_/models/nclg.py`` (``attention=dict(type='ShortLongAttention',
with_skip=False)``).

Dropped official keys, with their reason:

* ``auto_attn.alpha`` and every ``auto_attn.model.*`` (the fusion ResBlock, both
  of its names): dead, the forward never passes ``pre`` (documented dead keys);
* ``features.0.*``: alias of ``conv1.0.*`` (checked equal).
"""

from collections.abc import Mapping

import torch

from inpaintzoo.models.converters.discriminator import PatchDiscriminatorConverter
from inpaintzoo.models.converters.key_mapping import KeyConverter
from inpaintzoo.registry import CONVERTERS
from inpaintzoo.utils.errors import ConfigError

#: official attention keys the forward reads -> ours
ATTENTION_PAIRS: list[tuple[str, str]] = [
    ('auto_attn.gamma', 'attn.gamma'),
    ('auto_attn.query_conv.{p}', 'attn.query.{p}'),
]
#: official attention keys the forward never reads (no ``pre`` in D)
ATTENTION_DEAD: list[str] = [
    'auto_attn.alpha',
    'auto_attn.model.conv1.{s}',
    'auto_attn.model.conv2.{s}',
    'auto_attn.model.bypass.{s}',
    'auto_attn.model.model.{i}.{s}',
    'auto_attn.model.shortcut.{i}.{s}',
]


@CONVERTERS.register_module(name='nclg_discriminator')
class NCLGDiscriminatorConverter(PatchDiscriminatorConverter):
    """Official NCLG-MT ``Discriminator(in_channels, use_sigmoid, ...)``."""

    arch = 'nclg_discriminator'
    official_name = 'NCLG-MT Discriminator'
    signature = (r'^auto_attn\.', r'^conv1\.0\.')
    detect_priority = 80  # before the plain PatchGAN, whose signature it contains
    base_config = '_base_/models/nclg.py'
    config_key = 'discriminator'

    def build_key_converter(self) -> KeyConverter:
        """The PatchGAN tables plus ``auto_attn.{gamma, query_conv}``."""
        base = super().build_key_converter()
        dead_parametrized = [
            f'auto_attn.model.{conv}.parametrizations.weight.{name}'
            for conv in ('conv1', 'conv2', 'bypass', 'model.1', 'model.3', 'shortcut.0')
            for name in ('original', '0._u', '0._v')
        ]
        return KeyConverter(
            arch=self.arch,
            checkpoint_key=self.checkpoint_key,
            pairs=[*base.pairs, *ATTENTION_PAIRS],
            alternatives=base.alternatives,
            aliases=base.aliases,
            dead=[*ATTENTION_DEAD, *dead_parametrized],
        )

    def infer_kwargs(self, state_dict: Mapping[str, torch.Tensor]) -> dict:
        """``in_channels`` and ``use_spectral_norm`` from ``conv1``.

        Raises:
            ConfigError: no ``auto_attn.query_conv.weight`` or no ``conv1.0`` weight.
        """
        if 'auto_attn.query_conv.weight' not in state_dict:
            raise ConfigError(
                'not an official NCLG-MT discriminator state dict: no '
                'auto_attn.query_conv.weight (a plain PatchGAN converts with arch '
                "'discriminator')"
            )
        return super().infer_kwargs(state_dict)
