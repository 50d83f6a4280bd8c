"""Official NCLG-MT generator (reference-models §5.3) -> ``NCLGGenerator``.

The model config comes from ``configs/_base_/models/nclg.py``.

Dead keys: ``before_share1.0.*`` (declared, never used). Aliases: the
attention's fusion block registers each conv twice (``model.model.1`` =
``model.conv1``, ``model.model.3`` = ``model.conv2``, ``model.shortcut.0`` =
``model.bypass``); the copies must be equal and are dropped.
"""

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from inpaintzoo.models.converters.base import OfficialConverter
from inpaintzoo.models.converters.key_mapping import KeyConverter
from inpaintzoo.registry import CONVERTERS
from inpaintzoo.utils.errors import ConfigError

_BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')
_PARAM = 'parametrizations.weight'

#: (official template, ours template), official -> ``NCLGGenerator``
NCLG_PAIRS: list[tuple[str, str]] = [
    ('encoder1.1.gate_conv.{p}', 'enc1.conv.{p}'),
    ('encoder2.0.gate_conv.{p}', 'enc2.conv.{p}'),
    ('encoder3.0.gate_conv.{p}', 'enc3.conv.{p}'),
    ('middle.{i}.conv_block.1.{p}', 'middle.{i}.conv1.{p}'),
    ('middle.{i}.conv_block.5.{p}', 'middle.{i}.conv2.{p}'),
    ('auto_attn.gamma', 'attn.gamma'),
    ('auto_attn.alpha', 'attn.alpha'),
    ('auto_attn.query_conv.{p}', 'attn.query.{p}'),
    ('auto_attn.model.conv1.{s}', 'attn.fuse.conv1.{s}'),
    ('auto_attn.model.conv2.{s}', 'attn.fuse.conv2.{s}'),
    ('auto_attn.model.bypass.{s}', 'attn.fuse.bypass.{s}'),
    ('conv_afteratt_first.0.weight', 'landmark.expand.conv.weight'),
    *[(f'conv_afteratt_first.1.{n}', f'landmark.expand.bn.{n}') for n in _BN],
    ('conv_afteratt_node1.{p}', 'landmark.node1.{p}'),
    ('conv_afteratt_node2.{p}', 'landmark.node2.{p}'),
    ('conv_afterarr_node3.{p}', 'landmark.node3.{p}'),
    ('prelu.weight', 'landmark.prelu.weight'),
    ('landmark_gamma', 'landmark.gamma'),
    ('fc_landmark.{p}', 'landmark.fc.{p}'),
    ('decoder1.0.gate_conv.{p}', 'dec1.conv.{p}'),
    ('fushion1.0.{p}', 'fuse1.conv.{p}'),
    ('fushion1_1.0.{p}', 'fuse_map.conv.{p}'),
    ('decoder2.0.gate_conv.{p}', 'dec2.conv.{p}'),
    ('fushion2.0.{p}', 'fuse2.conv.{p}'),
    ('decoder3.1.{p}', 'out.{p}'),
]

#: ``model.<alias>`` -> ``model.<canonical>`` inside ``auto_attn``
_ALIASES = (('model.1', 'conv1'), ('model.3', 'conv2'), ('shortcut.0', 'bypass'))


@CONVERTERS.register_module(name='nclg')
class NCLGConverter(OfficialConverter):
    """Official ``InpaintGenerator(residual_blocks, init_weights)`` of NCLG-MT.

    ``init_weights`` only chooses the initialisation and is ignored.
    """

    arch = 'nclg'
    official_name = 'NCLG-MT InpaintGenerator'
    signature = (r'^auto_attn\.', r'^(fc_landmark|encoder1)\.')
    detect_priority = 40
    base_config = '_base_/models/nclg.py'
    official_defaults: ClassVar[dict] = dict(residual_blocks=7, init_weights=True)
    discriminator_arch = 'nclg_discriminator'  # PatchGAN + short+long attention

    def build_key_converter(self) -> KeyConverter:
        """Key tables (old and ``parametrizations`` spectral-norm names accepted)."""
        alternatives = [
            (f'auto_attn.model.{conv}.{_PARAM}.{old}', f'attn.fuse.{conv}.{new}')
            for conv in ('conv1', 'conv2', 'bypass')
            for old, new in (
                ('original', 'weight_orig'),
                ('0._u', 'weight_u'),
                ('0._v', 'weight_v'),
            )
        ]
        aliases = [
            (f'auto_attn.model.{alias}.{{s}}', f'auto_attn.model.{canon}.{{s}}')
            for alias, canon in _ALIASES
        ] + [
            (
                f'auto_attn.model.{alias}.{_PARAM}.{name}',
                f'auto_attn.model.{canon}.{_PARAM}.{name}',
            )
            for alias, canon in _ALIASES
            for name in ('original', '0._u', '0._v')
        ]
        return KeyConverter(
            arch=self.arch,
            checkpoint_key=self.checkpoint_key,
            pairs=NCLG_PAIRS,
            alternatives=alternatives,
            aliases=aliases,
            dead=['before_share1.0.{p}'],
        )

    def config_overrides(self, kwargs: dict) -> dict[str, Any]:
        """``NCLGGenerator`` settings of merged official kwargs."""
        blocks = kwargs['residual_blocks']
        if not isinstance(blocks, int) or isinstance(blocks, bool) or blocks < 0:
            raise ConfigError(
                f'official NCLG-MT kwarg residual_blocks must be an int >= 0, '
                f'got {blocks!r}'
            )
        return dict(residual_blocks=blocks)

    def infer_kwargs(self, state_dict: Mapping[str, torch.Tensor]) -> dict:
        """``residual_blocks`` = number of ``middle.<i>`` blocks.

        Raises:
            ConfigError: not an NCLG-MT generator state dict.
        """
        if 'fc_landmark.weight' not in state_dict:
            raise ConfigError(
                'not an official NCLG-MT generator state dict: no fc_landmark.weight'
            )
        ids = {
            int(m.group(1))
            for k in state_dict
            if (m := re.match(r'^middle\.(\d+)\.', k))
        }
        return dict(residual_blocks=len(ids), init_weights=True)
