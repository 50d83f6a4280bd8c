"""Official-checkpoint converters (one registered class per architecture).

``hint``, ``mxt``, ``sem_net``, ``nclg``, ``discriminator`` and
``nclg_discriminator`` are registered in
:data:`inpaintzoo.registry.CONVERTERS`; each derives its model config from
``configs/_base_/models/<arch>.py``. The functions below are the public API.
"""

from inpaintzoo.models.converters import (  # noqa: F401  (register the converters)
    discriminator,
    hint,
    mxt,
    nclg,
    nclg_discriminator,
    sem_net,
)
from inpaintzoo.models.converters.base import (
    OfficialConverter,
    base_model_config,
    generator_archs,
    get_converter,
    get_official_converter,
    guess_arch,
    infer_official_kwargs,
    list_archs,
    official_kwargs_to_config,
    unwrap_checkpoint,
)
from inpaintzoo.models.converters.convert import (
    ConversionResult,
    check_state_dict,
    convert_official,
    convert_official_state_dict,
    to_official,
)
from inpaintzoo.models.converters.key_mapping import KeyConverter
from inpaintzoo.models.converters.official_unet import UNetOfficialConverter
from inpaintzoo.registry import CONVERTERS

__all__ = [
    'CONVERTERS',
    'ConversionResult',
    'KeyConverter',
    'OfficialConverter',
    'UNetOfficialConverter',
    'base_model_config',
    'check_state_dict',
    'convert_official',
    'convert_official_state_dict',
    'generator_archs',
    'get_converter',
    'get_official_converter',
    'guess_arch',
    'infer_official_kwargs',
    'list_archs',
    'official_kwargs_to_config',
    'to_official',
    'unwrap_checkpoint',
]
