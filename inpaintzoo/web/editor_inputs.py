"""The picture and hole mask of one web request, from the image editor's value.

:func:`editor_inputs` turns the editor's value (a background and RGBA brush
layers) and an optional uploaded mask into an ``(H, W, 3)`` uint8 picture and an
``(H, W)`` hole mask: a pixel any brush stroke touched (alpha > 0) is a hole;
erased pixels are not. :func:`picture_status` / :func:`picture_key` say when a
new picture has arrived.
"""

import os
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from inpaintzoo.utils.errors import (
    InpaintzooError,
    InvalidImageError,
    InvalidMaskError,
)

#: the message shown when Run is pressed without a painted or uploaded hole
NO_MASK_MESSAGE = (
    'No mask: paint the hole over the picture with the brush (or upload a mask '
    'image, white = hole), then press Run.'
)
#: the message shown when Run is pressed without a picture
NO_IMAGE_MESSAGE = (
    'No picture: upload a picture (or pick an example), then paint the hole. '
    '(Just uploaded one? Wait until the status line says "Picture loaded".)'
)


def picture_rgb(array: Any, what: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB of an editor image; alpha dropped, as the CLI does.

    The colour of a semi-transparent pixel is the one the browser sends (its
    stored colour); a fully transparent pixel's colour is discarded by the
    browser's canvas and arrives black.
    """
    arr = np.asarray(array)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.size == 0:
        raise InvalidImageError(
            f'{what} could not be read as a picture (got shape {arr.shape}); '
            'upload a PNG, JPEG or WebP image'
        )
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[..., :3])


def picture_key(editor: Mapping[str, Any] | None) -> str | None:
    """A short identity of the editor's background picture, or None without one.

    Brush strokes change the editor's value but not its background: the key
    (size and a CRC of a 1-in-8 pixel subsample) tells a new picture from a new
    stroke without hashing megapixels on every stroke.

    Args:
        editor (Mapping, optional): the image editor's value.

    Returns:
        str | None: e.g. ``'120x160x4:1234567'``.
    """
    background = None if editor is None else editor.get('background')
    if background is None:
        return None
    arr = np.asarray(background)
    sample = np.ascontiguousarray(arr[::8, ::8])
    return 'x'.join(map(str, arr.shape)) + f':{zlib.crc32(sample.tobytes())}'


def picture_status(editor: Mapping[str, Any] | None) -> str:
    """Status line after an upload: the picture's size, or '' without one.

    Args:
        editor (Mapping, optional): the image editor's value (see
            :func:`editor_inputs`).

    Returns:
        str: e.g. ``'Picture loaded (160x120): paint the hole, then press Run.'``
    """
    background = None if editor is None else editor.get('background')
    if background is None:
        return ''
    height, width = np.asarray(background).shape[:2]
    return f'Picture loaded ({width}x{height}): paint the hole, then press Run.'


def read_uploaded_mask(mask: Any) -> np.ndarray:
    """An uploaded mask (a file path, or an array) as an (H, W) hole, 1 = hole.

    A file is decoded by the project's reader (EXIF-upright, as the browser
    shows the picture); a mask drawn in transparency takes its hole from alpha.

    Raises:
        InvalidMaskError: the file is not an image (named by its file name).
    """
    from inpaintzoo.apis.mask_inputs import to_hole_mask

    if not isinstance(mask, str | os.PathLike):
        return to_hole_mask(np.asarray(mask))
    try:
        return to_hole_mask(os.fspath(mask))
    except InpaintzooError as err:
        why = str(err).split(': ', 1)[-1]
        raise InvalidMaskError(
            f'the uploaded mask {Path(mask).name} could not be read: {why}'
        ) from err


def editor_inputs(
    editor: Mapping[str, Any] | None, mask_upload: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """The picture and the hole mask of one request.

    Args:
        editor (Mapping, optional): the image editor's value: ``background``
            (H, W, 3|4) uint8 and ``layers``, a list of (H, W, 4) uint8 RGBA
            brush layers (alpha > 0 where a stroke is).
        mask_upload (optional): an uploaded mask file's path (or an (H, W) /
            (H, W, 3|4) uint8 array), white = hole; a mask drawn in
            transparency (alpha varies, one visible colour) takes its hole
            from alpha, as files do; joined with the painted strokes.

    Returns:
        tuple[np.ndarray, np.ndarray]: (H, W, 3) uint8 RGB picture and (H, W)
        float32 mask in {0, 1}, 1 = hole.

    Raises:
        InvalidImageError: no picture, or one that is not an image.
        InvalidMaskError: no hole painted or uploaded (:data:`NO_MASK_MESSAGE`),
            a layer / uploaded mask of another size than the picture, or an
            uploaded mask file that is not an image.
    """
    background = None if editor is None else editor.get('background')
    if background is None:
        raise InvalidImageError(NO_IMAGE_MESSAGE)
    image = picture_rgb(background, 'the uploaded picture')
    height, width = image.shape[:2]
    hole = np.zeros((height, width), bool)
    for k, layer in enumerate(editor.get('layers') or []):
        if layer is None:
            continue
        arr = np.asarray(layer)
        if arr.shape[:2] != (height, width):
            raise InvalidMaskError(
                f'brush layer {k + 1} is {arr.shape[1]}x{arr.shape[0]} but the picture '
                f'is {width}x{height}; clear the canvas and paint again'
            )
        hole |= arr[..., 3] > 0 if arr.ndim == 3 and arr.shape[2] == 4 else arr > 0
    if mask_upload is not None:
        upload = read_uploaded_mask(mask_upload)
        if upload.shape[:2] != (height, width):
            raise InvalidMaskError(
                f'the uploaded mask is {upload.shape[1]}x{upload.shape[0]} but the '
                f'picture is {width}x{height}: upload a mask of the same size '
                '(white = hole) or paint the hole instead'
            )
        hole |= upload > 0.5
    if not hole.any():
        raise InvalidMaskError(NO_MASK_MESSAGE)
    return image, hole.astype(np.float32)
