"""Pipeline transforms (registered in ``TRANSFORMS``)."""

from .formatting import PackInpaintInputs
from .geometric import CenterCropResize, RandomCrop, RandomHorizontalFlip
from .loading import LoadImage, LoadLandmarks, LoadMask
from .motion_blur import RandomMotionBlur
from .paired import (
    LoadPairedImages,
    PackRestorationInputs,
    PairedRandomCrop,
    PairedRandomFlip,
)

__all__ = [
    'CenterCropResize',
    'LoadImage',
    'LoadLandmarks',
    'LoadMask',
    'LoadPairedImages',
    'PackInpaintInputs',
    'PackRestorationInputs',
    'PairedRandomCrop',
    'PairedRandomFlip',
    'RandomCrop',
    'RandomHorizontalFlip',
    'RandomMotionBlur',
]
