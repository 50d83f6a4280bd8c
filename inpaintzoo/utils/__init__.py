"""Small helpers shared across inpaintzoo."""

from inpaintzoo.utils.errors import (
    CheckpointMismatchError,
    ConfigError,
    ImageReadError,
    InvalidMaskError,
)

__all__ = [
    'CheckpointMismatchError',
    'ConfigError',
    'ImageReadError',
    'InvalidMaskError',
]
