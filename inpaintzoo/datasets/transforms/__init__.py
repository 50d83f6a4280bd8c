"""Pipeline transforms (registered in ``TRANSFORMS``)."""

from .formatting import PackInpaintInputs
from .geometric import CenterCropResize, RandomCrop, RandomHorizontalFlip
from .loading import LoadImage, LoadMask

__all__ = [
    'CenterCropResize',
    'LoadImage',
    'LoadMask',
    'PackInpaintInputs',
    'RandomCrop',
    'RandomHorizontalFlip',
]
