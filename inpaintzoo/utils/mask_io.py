"""Mask files and Pillow masks as one 8-bit channel, and binarised (1 = hole).

The mask half of the one shared reader (:mod:`inpaintzoo.utils.image_io` decodes
the file with the same checks: integrity, orientation, bit depth). What it adds:
0/1-valued files are recognised and scaled to 0/255, a hole drawn only in the
alpha channel is taken from it (:func:`collapse_mask_channels`), and
:func:`read_mask` binarises with :func:`inpaintzoo.utils.mask.binarize_mask`.
"""

from pathlib import Path

import numpy as np
from PIL import Image

from inpaintzoo.utils.errors import InvalidMaskError
from inpaintzoo.utils.image_io import (
    Orientation,
    decode_image_file,
    orient,
    raw_pixels,
    to_uint8,
)
from inpaintzoo.utils.mask import MaskConvention, binarize_mask


def _hole_in_alpha(colour: np.ndarray, alpha: np.ndarray) -> bool:
    """Whether a mask's hole is drawn in its alpha channel, not its colour.

    True when alpha varies while every pixel that is not fully transparent has
    one and the same colour: the colour then carries nothing (a brush of one
    colour on a transparent layer, "transparent white" around an opaque hole).

    Args:
        colour (np.ndarray): (H, W) colour values (RGB collapsed by maximum).
        alpha (np.ndarray): (H, W) alpha values (0 = fully transparent).
    """
    if not alpha.size or alpha.min() == alpha.max():
        return False
    visible = colour[alpha > 0]
    return bool(visible.min() == visible.max())


def collapse_mask_channels(arr: np.ndarray) -> np.ndarray:
    """One value per pixel of a mask with channels: colour, or the alpha channel.

    Colour channels are collapsed by their maximum. With an alpha channel (C = 2,
    grey + alpha, or C = 4, RGBA) whose values vary while the visible pixels all
    have one colour, the hole is in the alpha channel and alpha is the value
    (opaque = white; see :func:`_hole_in_alpha`); otherwise alpha is ignored.

    Args:
        arr (np.ndarray): (H, W) or (H, W, C) with C in 1-4, any numeric dtype.

    Returns:
        np.ndarray: (H, W), the dtype of ``arr``.
    """
    if arr.ndim == 2:
        return arr
    channels = arr.shape[2]
    colour = arr[..., : 3 if channels >= 3 else 1].max(axis=2)
    if channels in (2, 4) and _hole_in_alpha(colour, arr[..., -1]):
        return arr[..., -1]
    return colour


def _raw_mask_pixels(img: Image.Image, name: str | Path) -> np.ndarray:
    """Like :func:`raw_pixels`, but transparency is kept as a last alpha channel."""
    if img.mode in ('LA', 'La'):
        return np.asarray(img.convert('LA'))
    if img.mode in ('PA', 'RGBa') or (img.mode == 'P' and 'transparency' in img.info):
        return np.asarray(img.convert('RGBA'))
    return raw_pixels(img, name)


def mask_pixels(
    img: Image.Image, name: str | Path, orientation: Orientation = 'stored'
) -> np.ndarray:
    """A decoded Pillow mask as one 8-bit channel, before binarisation.

    The one conversion behind :func:`read_mask_values`, also used for PIL masks
    handed to the inference API. Channels are collapsed by
    :func:`collapse_mask_channels` (colour by maximum, or the alpha channel when
    the hole is drawn in it). Values all 0 or 1 (8- or 16-bit, at least one 1)
    make a **0/1 mask**, scaled to 0/255, so ``1`` means white for either
    convention. Other 16-bit values keep their high byte.

    Args:
        img (Image.Image): a decoded mask, any mode.
        name (str | Path): its file, or how a message names it.
        orientation (str): ``'stored'`` (default) or ``'exif'``.

    Returns:
        np.ndarray: (H, W) uint8.
    """
    arr = collapse_mask_channels(_raw_mask_pixels(orient(img, orientation), name))
    if arr.size and int(arr.max()) == 1:
        return arr.astype(np.uint8) * np.uint8(255)
    return to_uint8(arr)


def read_mask_values(
    path: str | Path, orientation: Orientation = 'stored'
) -> np.ndarray:
    """Read a mask file as one 8-bit channel, before binarisation.

    See :func:`mask_pixels` (colour or alpha, 0/1 files, 16-bit files).

    Args:
        path (str | Path): mask file.
        orientation (str): ``'stored'`` (default) or ``'exif'``, as in
            :func:`read_image`.

    Returns:
        np.ndarray: (H, W) uint8.
    """
    return mask_pixels(decode_image_file(path), path, orientation)


def read_mask(
    path: str | Path,
    convention: MaskConvention = 'white_hole',
    threshold: float = 0,
    orientation: Orientation = 'stored',
) -> np.ndarray:
    """Read a mask file and binarise it; 1 = hole.

    Mapping, after :func:`read_mask_values` (0/1 files become 0/255):
    ``'white_hole'`` (default, official repositories): a value ``> threshold`` is
    a hole. ``'black_hole'`` (MAT/LaMa, 255 = known): a value
    ``< 255 - threshold`` is a hole. With ``threshold=0`` every non-zero
    (respectively non-255) pixel is a hole, anti-aliased edges included.

    Args:
        path (str | Path): mask file (grey, RGB, RGBA, palette; 8 or 16 bit).
        convention (str): ``'white_hole'`` or ``'black_hole'``.
        threshold (float): see :func:`binarize_mask`. Defaults to 0.
        orientation (str): ``'stored'`` (default) or ``'exif'``, as in
            :func:`read_image`.

    Returns:
        np.ndarray: (H, W) float32 in {0, 1}, 1 = hole.

    Raises:
        ImageReadError: if the file is missing, corrupt or not an image.
        InvalidMaskError: if the convention is unknown.
    """
    values = read_mask_values(path, orientation)
    try:
        return binarize_mask(values, convention, threshold)
    except InvalidMaskError as err:
        raise InvalidMaskError(f'{path}: {err}') from err
