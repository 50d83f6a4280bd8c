"""Mask sources (registered in ``TRANSFORMS``) and the hole-ratio buckets."""

from .box_mask import BoxMask
from .bucket import BUCKET_LABELS, MASK_BUCKETS, mask_bucket, ratio_to_bucket
from .file_mask import RandomMaskFromFiles
from .free_form import FreeFormMask

__all__ = [
    'BUCKET_LABELS',
    'MASK_BUCKETS',
    'BoxMask',
    'FreeFormMask',
    'RandomMaskFromFiles',
    'mask_bucket',
    'ratio_to_bucket',
]
