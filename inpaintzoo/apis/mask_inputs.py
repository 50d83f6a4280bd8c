"""Masks handed to :func:`~inpaintzoo.apis.inference.inpaint`, read and binarised.

The documented rule:

* ``mask_convention='hole-white'`` (default, the official repositories and the
  NVIDIA masks): white = hole. ``'known-white'`` (LaMa/MAT style): white = known,
  black = hole.
* 0/1 masks (bool, integer or float arrays/tensors whose values are all 0 or 1,
  and 0/1 mask files) mean the same as 0/255. Float masks in [0, 1] are scaled
  by 255.
* Grey values (anti-aliased edges) are thresholded at ``mask_threshold``
  (default 127): with ``'hole-white'`` a value ``> 127`` is a hole, with
  ``'known-white'`` a value ``< 128`` (``255 - value > 127``) is a hole.
* Colour channels are collapsed by their maximum. A hole drawn in the alpha
  channel (alpha varies, every visible pixel has the same colour: a brush on a
  transparent layer) is read from alpha, opaque = white
  (:func:`inpaintzoo.utils.mask_io.collapse_mask_channels`); files, PIL images
  and RGBA arrays alike.
* Shapes: arrays ``(H, W)``, ``(H, W, 1|3|4)`` or ``(1, H, W)``; tensors
  ``(H, W)``, ``(C, H, W)`` or ``(1, C, H, W)`` with C = 1, 3 or 4.
* A mask must have the image's size; otherwise :class:`InvalidMaskError` names
  both sizes.
* A mask without a hole pixel warns (``NoHoleWarning``: the image comes back
  unchanged), and so does one that is hole everywhere (``AllHoleWarning``: the
  model invents the whole picture); see :mod:`inpaintzoo.apis.mask_warnings`.

Orientation: as for images (:mod:`inpaintzoo.apis.inputs`): mask files and PIL
masks are turned by their EXIF tag with ``orientation='exif'`` (the default).
"""

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from inpaintzoo.apis.inputs import ImageLike, input_name, tensor_numpy
from inpaintzoo.utils.errors import InvalidMaskError
from inpaintzoo.utils.image_io import Orientation, check_orientation
from inpaintzoo.utils.mask import binarize_mask
from inpaintzoo.utils.mask_io import (
    collapse_mask_channels,
    mask_pixels,
    read_mask_values,
)

#: user-facing mask conventions -> :func:`binarize_mask` conventions
MASK_CONVENTIONS = {'hole-white': 'white_hole', 'known-white': 'black_hole'}
DEFAULT_MASK_THRESHOLD = 127


def mask_values(mask: ImageLike, orientation: Orientation = 'exif') -> np.ndarray:
    """One mask -> ``(H, W)`` uint8 values before thresholding (0/1 -> 0/255).

    Files and PIL images are read alike (:func:`inpaintzoo.utils.mask_io.mask_pixels`:
    colour by maximum, or the alpha channel when the hole is drawn in it).
    Arrays: ``(H, W)``, ``(H, W, 1|3|4)`` or ``(1, H, W)``; tensors: ``(H, W)``,
    ``(C, H, W)`` or ``(1, C, H, W)`` with C = 1, 3 or 4 (channels collapsed the
    same way). ``orientation`` as in :func:`inpaintzoo.apis.inputs.to_rgb_uint8`.
    """
    check_orientation(orientation)
    if isinstance(mask, str | os.PathLike):
        return read_mask_values(Path(mask), orientation)
    if isinstance(mask, Image.Image):
        return mask_pixels(mask, input_name(mask), orientation)  # as files are read
    return _array_mask_values(_mask_hw(mask), mask)


def _mask_hw(mask: Any) -> np.ndarray:
    """An array or tensor mask as ``(H, W)``, its channels collapsed.

    Raises:
        InvalidMaskError: another type, or a shape listed as refused.
    """
    if torch.is_tensor(mask):
        arr = tensor_numpy(mask)
        if arr.ndim == 4 and arr.shape[0] == 1:
            arr = arr[0]
        if arr.ndim == 3:
            if arr.shape[0] not in (1, 3, 4):
                raise InvalidMaskError(
                    f'mask tensor must be (H, W), (C, H, W) or (1, C, H, W) with '
                    f'C = 1, 3 or 4, got shape {tuple(mask.shape)}'
                )
            arr = np.moveaxis(arr, 0, -1)
    elif isinstance(mask, np.ndarray):
        arr = mask
        if arr.ndim == 3 and arr.shape[2] not in (1, 3, 4) and arr.shape[0] == 1:
            arr = arr[0]  # (1, H, W)
    else:
        raise InvalidMaskError(
            f'mask must be a file path, a numpy array, a PIL image or a tensor, '
            f'got {type(mask).__name__}'
        )
    if arr.ndim == 3 and arr.shape[2] in (1, 3, 4):
        arr = collapse_mask_channels(arr)
    if arr.ndim != 2:
        raise InvalidMaskError(
            f'mask must be (H, W), (H, W, 1|3|4) or (1, H, W) (tensors: (C, H, W), '
            f'C = 1, 3 or 4), got shape {tuple(mask.shape)}'
        )
    return arr


def _array_mask_values(arr: np.ndarray, source: Any) -> np.ndarray:
    """``(H, W)`` mask values of any dtype -> uint8 (0/1 and [0, 1] scaled)."""
    if arr.dtype == bool:
        return arr.astype(np.uint8) * np.uint8(255)
    if not np.issubdtype(arr.dtype, np.number):
        raise InvalidMaskError(
            f'mask {input_name(source)} has dtype {arr.dtype}; pass bool, integer or '
            'float values'
        )
    if arr.size and not np.isfinite(arr).all():
        raise InvalidMaskError('mask holds NaN or Inf values')
    top = float(arr.max()) if arr.size else 0.0
    low = float(arr.min()) if arr.size else 0.0
    if low < 0 or top > 255:
        raise InvalidMaskError(
            f'mask values must lie in [0, 255] (or [0, 1]), got [{low:.4g}, {top:.4g}]'
        )
    if np.issubdtype(arr.dtype, np.floating) and top <= 1:
        return np.round(arr * 255).astype(np.uint8)
    if top == 1:  # integer 0/1 mask
        return arr.astype(np.uint8) * np.uint8(255)
    return np.round(arr).astype(np.uint8)


def check_mask_threshold(threshold: float, name: str = 'mask_threshold') -> None:
    """Refuse a threshold outside [0, 255) (NaN included).

    Args:
        threshold (float): the grey value above which a pixel is a hole.
        name (str): how the message names it: ``'mask_threshold'`` (Python) or
            ``'--mask-threshold'`` (command line).

    Raises:
        InvalidMaskError: naming ``name`` and the accepted range.
    """
    if not 0 <= threshold < 255:
        sep = ' ' if name.startswith('--') else '='
        raise InvalidMaskError(
            f'{name}{sep}{threshold:g}: must be in [0, 255) (a mask value above it '
            f'is a hole; default {DEFAULT_MASK_THRESHOLD})'
        )


def to_hole_mask(
    mask: ImageLike,
    convention: str = 'hole-white',
    threshold: float = DEFAULT_MASK_THRESHOLD,
    orientation: Orientation = 'exif',
) -> np.ndarray:
    """One mask -> ``(H, W)`` float32 in {0, 1}, 1 = hole (module rule)."""
    return hole_and_values(mask, convention, threshold, orientation)[0]


def hole_and_values(
    mask: ImageLike,
    convention: str = 'hole-white',
    threshold: float = DEFAULT_MASK_THRESHOLD,
    orientation: Orientation = 'exif',
) -> tuple[np.ndarray, np.ndarray]:
    """One mask -> its hole and the values it was thresholded from.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(H, W)`` float32 in {0, 1} (1 = hole)
        and ``(H, W)`` uint8 values (:func:`mask_values`).

    Raises:
        InvalidMaskError: an unknown convention, a threshold outside [0, 255),
            or a mask that is not one.
    """
    if convention not in MASK_CONVENTIONS:
        raise InvalidMaskError(
            f'mask_convention must be one of {sorted(MASK_CONVENTIONS)}, got '
            f"{convention!r} ('hole-white': white = hole, the default; "
            "'known-white': white = known, black = hole)"
        )
    check_mask_threshold(threshold)
    values = mask_values(mask, orientation)
    return binarize_mask(values, MASK_CONVENTIONS[convention], threshold), values
