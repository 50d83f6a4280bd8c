"""Official-checkpoint key converters and the numeric equivalence checker."""

from inpaintzoo.models.converters import (
    mxt_official,  # noqa: F401  (registers 'mxt')
    sem_net_official,  # noqa: F401  (registers 'sem_net')
)
from inpaintzoo.models.converters.convert import (
    ConversionResult,
    check_state_dict,
    convert_official,
    to_official,
)
from inpaintzoo.models.converters.key_mapping import (
    ARCH_SIGNATURES,
    CONVERTERS,
    KeyConverter,
    get_converter,
    guess_arch,
    register_converter,
    unwrap_checkpoint,
)
from inpaintzoo.models.converters.official import (
    CONFIG_BUILDERS,
    official_kwargs_to_config,
)

__all__ = [
    'ARCH_SIGNATURES',
    'CONFIG_BUILDERS',
    'CONVERTERS',
    'ConversionResult',
    'KeyConverter',
    'check_state_dict',
    'convert_official',
    'get_converter',
    'guess_arch',
    'official_kwargs_to_config',
    'register_converter',
    'to_official',
    'unwrap_checkpoint',
]
