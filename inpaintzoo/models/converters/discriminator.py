"""Official PatchGAN discriminator of HINT / MxT / SEM-Net (reference-models §1.7).

-> ``model.discriminator`` of ``configs/_base_/models/gan_inpaintor.py``. The
official ``features`` module is a second name of ``conv1`` (documented alias);
both the old ``weight_orig/_u/_v`` and the ``torch.nn.utils.parametrizations``
spectral-norm names are accepted.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from inpaintzoo.models.converters.base import OfficialConverter
from inpaintzoo.models.converters.key_mapping import KeyConverter
from inpaintzoo.registry import CONVERTERS
from inpaintzoo.utils.errors import ConfigError

_PARAMETRIZED = ('original', '0._u', '0._v')


@CONVERTERS.register_module(name='discriminator')
class PatchDiscriminatorConverter(OfficialConverter):
    """Official ``Discriminator(in_channels, use_sigmoid, use_spectral_norm, ...)``.

    ``init_weights`` only chooses the initialisation and is ignored.
    """

    arch = 'discriminator'
    official_name = 'Discriminator'
    checkpoint_key = 'discriminator'
    signature = (r'^conv1\.0\.',)
    detect_priority = 90  # the NCLG discriminator shares this signature
    base_config = '_base_/models/gan_inpaintor.py'
    config_key = 'discriminator'
    official_defaults: ClassVar[dict] = dict(
        use_sigmoid=True, use_spectral_norm=True, init_weights=True
    )
    required_kwargs = ('in_channels',)
    discriminator_arch = ''

    def build_key_converter(self) -> KeyConverter:
        """``conv<k>.0.*`` -> ``conv<k>.*``; ``features.0`` is an alias of conv1."""
        param = 'parametrizations.weight'
        return KeyConverter(
            arch=self.arch,
            checkpoint_key=self.checkpoint_key,
            pairs=[('conv{k}.0.{s}', 'conv{k}.{s}')],
            alternatives=[
                (f'conv{{k}}.0.{param}.original', 'conv{k}.weight_orig'),
                (f'conv{{k}}.0.{param}.0._u', 'conv{k}.weight_u'),
                (f'conv{{k}}.0.{param}.0._v', 'conv{k}.weight_v'),
            ],
            aliases=[
                ('features.0.{s}', 'conv1.0.{s}'),
                *[
                    (f'features.0.{param}.{name}', f'conv1.0.{param}.{name}')
                    for name in _PARAMETRIZED
                ],
            ],
        )

    def config_overrides(self, kwargs: dict) -> dict[str, Any]:
        """``PatchDiscriminator`` settings of merged official kwargs."""
        return dict(
            in_channels=int(kwargs['in_channels']),
            use_sigmoid=bool(kwargs['use_sigmoid']),
            use_spectral_norm=bool(kwargs['use_spectral_norm']),
        )

    def infer_kwargs(self, state_dict: Mapping[str, torch.Tensor]) -> dict:
        """``in_channels`` and ``use_spectral_norm`` from ``conv1``.

        ``use_sigmoid`` leaves no trace in the weights: the official default
        (True) is returned.

        Raises:
            ConfigError: no ``conv1.0`` weight.
        """
        names = {
            'conv1.0.weight': False,
            'conv1.0.weight_orig': True,
            'conv1.0.parametrizations.weight.original': True,
        }
        for name, spectral in names.items():
            if name in state_dict:
                return dict(
                    in_channels=int(state_dict[name].shape[1]),
                    use_sigmoid=True,
                    use_spectral_norm=spectral,
                )
        raise ConfigError(
            f'not an official discriminator state dict: none of {sorted(names)}'
        )
