"""Array-level helpers shared by the transforms and mask sources.

Images are (H, W, 3) uint8 RGB; masks are (H, W) float32 with 1 = hole. Resizing
uses Pillow, as the official code does (``PIL.Image.resize``).
"""

from typing import Literal

import numpy as np
from PIL import Image

# The one reader of image and mask files (EXIF ignored, truncated files refused),
# re-exported here for the mask sources that import it from this module.
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.image_io import read_image as read_image
from inpaintzoo.utils.mask_io import read_mask as read_mask

MaskInterpolation = Literal['nearest', 'bicubic']
_PIL_FILTERS = {
    'nearest': Image.Resampling.NEAREST,
    'bicubic': Image.Resampling.BICUBIC,
}


def resize_image(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an image with Pillow's bicubic filter (no-op at the same size).

    Args:
        img (np.ndarray): (H, W, 3) uint8.
        size (tuple[int, int]): target (height, width).

    Returns:
        np.ndarray: (height, width, 3) uint8.
    """
    if img.shape[:2] == tuple(size):
        return img
    out = Image.fromarray(img).resize((size[1], size[0]), Image.Resampling.BICUBIC)
    return np.asarray(out).copy()


def resize_mask(
    mask: np.ndarray,
    size: tuple[int, int],
    interpolation: MaskInterpolation = 'nearest',
) -> np.ndarray:
    """Resize a binary mask and re-binarise it (any value > 0 is a hole).

    ``'bicubic'`` reproduces the official code, whose bicubic resize followed by
    ``> 0`` grows holes slightly; ``'nearest'`` keeps the hole ratio.

    Args:
        mask (np.ndarray): (H, W) float32 in {0, 1}, 1 = hole.
        size (tuple[int, int]): target (height, width).
        interpolation (str): ``'nearest'`` or ``'bicubic'``. Defaults to
            ``'nearest'``.

    Returns:
        np.ndarray: (height, width) float32 in {0, 1}.
    """
    values = (np.asarray(mask) > 0).astype(np.uint8) * 255
    return (resize_mask_values(values, size, interpolation) > 0).astype(np.float32)


def resize_mask_values(
    values: np.ndarray,
    size: tuple[int, int],
    interpolation: MaskInterpolation = 'nearest',
) -> np.ndarray:
    """Resize a grey mask *before* binarisation (no-op at the same size).

    The order of the official NCLG-MT test (mask mode 6): the raw 8-bit grey
    mask is resized, and only then thresholded, so a threshold such as 100 acts
    on the interpolated grey values, not on an already binary mask.

    Args:
        values (np.ndarray): (H, W) uint8 grey mask values.
        size (tuple[int, int]): target (height, width).
        interpolation (str): ``'nearest'`` or ``'bicubic'`` (Pillow's filter,
            as the official ``Image.resize``). Defaults to ``'nearest'``.

    Returns:
        np.ndarray: (height, width) uint8.
    """
    if interpolation not in _PIL_FILTERS:
        raise ValueError(
            f"mask interpolation must be 'nearest' or 'bicubic', got {interpolation!r}"
        )
    if values.shape[:2] == tuple(size):
        return values
    out = Image.fromarray(np.asarray(values, np.uint8)).resize(
        (size[1], size[0]), _PIL_FILTERS[interpolation]
    )
    return np.asarray(out).copy()


def center_crop_box(height: int, width: int) -> tuple[int, int, int]:
    """Square centre crop as in the official code.

    Args:
        height (int): image height.
        width (int): image width.

    Returns:
        tuple[int, int, int]: (top, left, side) with side = min(h, w) and
        offsets floor((dim - side) / 2).
    """
    side = min(height, width)
    return (height - side) // 2, (width - side) // 2, side


def center_crop(arr: np.ndarray) -> np.ndarray:
    """Centre-crop an (H, W, ...) array to a square of side min(H, W)."""
    top, left, side = center_crop_box(*arr.shape[:2])
    return arr[top : top + side, left : left + side]


def crop_size(size: int | tuple[int, int], owner: str) -> tuple[int, int]:
    """A crop transform's ``size`` argument as (height, width).

    Raises:
        ConfigError: not a positive side or (height, width) pair; names ``owner``.
    """
    hw = (size, size) if isinstance(size, int) else tuple(size)
    if len(hw) != 2 or min(hw) <= 0:
        raise ConfigError(f'{owner}: size must be positive, got {size!r}')
    return hw


def random_crop_origin(
    height: int, width: int, crop_h: int, crop_w: int
) -> tuple[int, int]:
    """Uniform random (top, left) of a crop_h x crop_w window in a height x width image.

    Draws with numpy's global generator (rows first, then columns), so seeded
    pipelines crop the same place in every run. The caller checks the image is at
    least the crop's size.
    """
    top = int(np.random.randint(0, height - crop_h + 1))  # noqa: NPY002
    left = int(np.random.randint(0, width - crop_w + 1))  # noqa: NPY002
    return top, left
