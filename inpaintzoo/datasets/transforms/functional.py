"""Array-level helpers shared by the transforms and mask sources.

Images are (H, W, 3) uint8 RGB; masks are (H, W) float32 with 1 = hole. Resizing
uses Pillow, as the official code does (``PIL.Image.resize``).
"""

import os
from typing import Literal

import numpy as np
from PIL import Image, UnidentifiedImageError

from inpaintzoo.utils.errors import ImageReadError, InvalidMaskError
from inpaintzoo.utils.mask import MaskConvention, binarize_mask

MaskInterpolation = Literal['nearest', 'bicubic']
_PIL_FILTERS = {
    'nearest': Image.Resampling.NEAREST,
    'bicubic': Image.Resampling.BICUBIC,
}


def _open(path: str) -> Image.Image:
    if not os.path.isfile(path):
        raise ImageReadError(f'file not found: {path}')
    try:
        img = Image.open(path)
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise ImageReadError(f'cannot read {path} as an image: {err}') from err
    return img


def _to_uint8(img: Image.Image) -> Image.Image:
    """Map 16/32-bit integer modes to 8 bit (top byte); other modes unchanged."""
    if img.mode in ('I', 'I;16', 'I;16B', 'I;16L'):
        arr = np.asarray(img).astype(np.int64)
        scale = 257 if arr.max(initial=0) <= 65535 else 16843009
        return Image.fromarray(np.clip(arr // scale, 0, 255).astype(np.uint8))
    return img


def read_image(path: str) -> np.ndarray:
    """Read an image as RGB uint8; grey becomes RGB, alpha is dropped.

    Args:
        path (str): image file.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.

    Raises:
        ImageReadError: if the file is missing, unreadable or not an image.
    """
    img = _to_uint8(_open(path))
    if img.mode != 'RGB':
        img = img.convert('RGB')  # L, P, LA, RGBA (alpha dropped), CMYK, ...
    return np.asarray(img, dtype=np.uint8).copy()


def read_mask(
    path: str, convention: MaskConvention = 'white_hole', threshold: float = 0
) -> np.ndarray:
    """Read a mask file and binarise it with :func:`binarize_mask`.

    Args:
        path (str): mask file.
        convention (str): ``'white_hole'`` or ``'black_hole'``.
            Defaults to ``'white_hole'``.
        threshold (float): see :func:`binarize_mask`. Defaults to 0.

    Returns:
        np.ndarray: (H, W) float32, 1 = hole.

    Raises:
        ImageReadError: if the file is missing or not an image.
        InvalidMaskError: if its channels or values are not a mask's.
    """
    img = _to_uint8(_open(path))
    if img.mode in ('P', 'PA', 'CMYK', 'YCbCr', 'LAB', 'HSV'):
        img = img.convert('RGB')
    elif img.mode == 'LA':
        img = img.convert('L')
    try:
        return binarize_mask(np.asarray(img), convention, threshold)
    except InvalidMaskError as err:
        raise InvalidMaskError(f'{path}: {err}') from err


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
    if interpolation not in _PIL_FILTERS:
        raise ValueError(
            f"mask interpolation must be 'nearest' or 'bicubic', got {interpolation!r}"
        )
    if mask.shape[:2] == tuple(size):
        return (mask > 0).astype(np.float32)
    pil = Image.fromarray((mask > 0).astype(np.uint8) * 255)
    out = pil.resize((size[1], size[0]), _PIL_FILTERS[interpolation])
    return (np.asarray(out) > 0).astype(np.float32)


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
