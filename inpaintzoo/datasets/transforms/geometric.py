"""Geometric transforms applied jointly to the image, mask and landmarks."""

import numpy as np
from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.transforms.functional import (
    MaskInterpolation,
    center_crop_box,
    resize_image,
    resize_mask,
)
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError


@TRANSFORMS.register_module()
class CenterCropResize(BaseTransform):
    """Official-style square centre crop, then resize.

    The image is cropped to a square of side ``min(h, w)`` with offsets
    ``floor((dim - side) / 2)`` and resized with Pillow's bicubic filter (a no-op
    at the same size), as in the official ``Dataset``. A ``mask`` of the image's
    size gets the same crop, then a resize (``mask_interpolation``) and
    re-binarisation. ``landmarks`` (K, 2) pixel (x, y) are shifted and scaled.

    Required keys: ``img``. Modified keys: ``img``, ``img_shape``, and ``mask`` /
    ``landmarks`` when present.

    Args:
        size (int | tuple[int, int]): output side, or (height, width).
        mask_interpolation (str): ``'nearest'`` or ``'bicubic'`` (official
            hole growth). Defaults to ``'nearest'``.
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        mask_interpolation: MaskInterpolation = 'nearest',
    ) -> None:
        out = (size, size) if isinstance(size, int) else tuple(size)
        if len(out) != 2 or min(out) <= 0:
            raise ConfigError(
                f'CenterCropResize: size must be a positive int or (h, w), got {size}'
            )
        if mask_interpolation not in ('nearest', 'bicubic'):
            raise ConfigError(
                "CenterCropResize: mask_interpolation must be 'nearest' or "
                f"'bicubic', got {mask_interpolation!r}"
            )
        self.size = (int(out[0]), int(out[1]))
        self.mask_interpolation = mask_interpolation

    def transform(self, results: dict) -> dict:
        """Crop and resize ``img`` (and ``mask``, ``landmarks``)."""
        img = results['img']
        height, width = img.shape[:2]
        top, left, side = center_crop_box(height, width)
        results['img'] = resize_image(
            img[top : top + side, left : left + side], self.size
        )
        results['img_shape'] = self.size
        mask = results.get('mask')
        if mask is not None:
            if mask.shape[:2] != (height, width):
                raise ConfigError(
                    f'CenterCropResize: mask size {mask.shape[:2]} differs from '
                    f'image size {(height, width)}; resize it first (LoadMask '
                    'resize=True) or place the mask source after this transform'
                )
            results['mask'] = resize_mask(
                mask[top : top + side, left : left + side],
                self.size,
                self.mask_interpolation,
            )
        if results.get('landmarks') is not None:
            pts = np.asarray(results['landmarks'], dtype=np.float32).reshape(-1, 2)
            scale = np.array([self.size[1] / side, self.size[0] / side], np.float32)
            results['landmarks'] = (pts - np.array([left, top], np.float32)) * scale
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(size={self.size}, '
            f'mask_interpolation={self.mask_interpolation!r})'
        )
