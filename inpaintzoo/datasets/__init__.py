"""Datasets, transforms and mask sources (registered on import)."""

from .image_mask_dataset import ImageMaskDataset
from .masks import (
    MASK_BUCKETS,
    BoxMask,
    FreeFormMask,
    RandomMaskFromFiles,
    ratio_to_bucket,
)
from .transforms import CenterCropResize, LoadImage, LoadMask, PackInpaintInputs

__all__ = [
    'MASK_BUCKETS',
    'BoxMask',
    'CenterCropResize',
    'FreeFormMask',
    'ImageMaskDataset',
    'LoadImage',
    'LoadMask',
    'PackInpaintInputs',
    'RandomMaskFromFiles',
    'ratio_to_bucket',
]
