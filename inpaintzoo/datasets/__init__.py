"""Datasets, transforms and mask sources (registered on import)."""

from .image_mask_dataset import ImageMaskDataset
from .masks import (
    MASK_BUCKETS,
    BoxMask,
    FreeFormMask,
    RandomMaskFromFiles,
    ratio_to_bucket,
)
from .paired_image_dataset import PairedImageDataset
from .transforms import (
    CenterCropResize,
    LoadImage,
    LoadLandmarks,
    LoadMask,
    PackInpaintInputs,
)

__all__ = [
    'MASK_BUCKETS',
    'BoxMask',
    'CenterCropResize',
    'FreeFormMask',
    'ImageMaskDataset',
    'LoadImage',
    'LoadLandmarks',
    'LoadMask',
    'PackInpaintInputs',
    'PairedImageDataset',
    'RandomMaskFromFiles',
    'ratio_to_bucket',
]
