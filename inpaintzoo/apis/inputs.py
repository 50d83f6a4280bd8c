"""Turn the images and masks a user hands to :func:`inpaint` into model input.

Images: a file path (read with :func:`inpaintzoo.utils.image_io.read_image`), an
``(H, W, 3)`` uint8 RGB numpy array (``(H, W)`` grey and ``(H, W, 4)`` RGBA are
accepted; alpha is dropped), a PIL image (converted exactly as its file would be
read: 16-bit keeps its high byte, floating-point modes are refused), or a tensor
``(3, H, W)`` / ``(N, 3, H, W)``, uint8 in [0, 255] or floating point in [0, 1]
(bfloat16 and float16 included). Float numpy arrays in [0, 1] are accepted too.
An image must have at least one pixel.

Masks: the rule is in :mod:`inpaintzoo.apis.mask_inputs` (white = hole by default,
0/1 and [0, 1] masks, threshold 127, alpha-drawn holes, shapes, sizes).

Orientation (``orientation=``): ``'exif'`` (default) turns image and mask files,
and PIL images, by their EXIF orientation tag, so a phone photo is inpainted as
viewers, browsers (and ``inpaintzoo serve``), OpenCV and MMagic show it, and the
result is written that way up. ``'stored'`` uses the pixels as stored, as the
datasets and the official code do. Arrays and tensors carry no tag and are used
as given.
"""

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from inpaintzoo.utils.errors import InvalidImageError, InvalidMaskError
from inpaintzoo.utils.image_io import (
    Orientation,
    check_orientation,
    file_exif_orientation,
    image_pixels,
    read_image,
)

ImageLike = str | os.PathLike | np.ndarray | Image.Image | torch.Tensor


def input_name(item: Any) -> str:
    """How a message names an input: its path, or its type and shape."""
    if isinstance(item, str | os.PathLike):
        return str(item)
    shape = getattr(item, 'shape', None)
    if shape is None and isinstance(item, Image.Image):
        return f'PIL image {item.width}x{item.height}'
    return f'{type(item).__name__} of shape {tuple(shape or ())}'


def split_batch(items: Any) -> list:
    """A list of single inputs.

    Lists/tuples are flattened one level; an ``(N, C, H, W)`` tensor or
    ``(N, H, W, C)`` array is split along N.
    """
    if isinstance(items, list | tuple):
        out = []
        for item in items:
            out.extend(split_batch(item) if _is_batch(item) else [item])
        return out
    return list(items) if _is_batch(items) else [items]


def _is_batch(item: Any) -> bool:
    return (torch.is_tensor(item) or isinstance(item, np.ndarray)) and item.ndim == 4


def tensor_numpy(tensor: torch.Tensor) -> np.ndarray:
    """A tensor's values as a numpy array on the CPU.

    Floating point other than float64 (bfloat16 and float16, which numpy lacks
    or computes poorly) becomes float32 first.
    """
    arr = tensor.detach().cpu()
    if arr.is_floating_point() and arr.dtype != torch.float64:
        arr = arr.float()
    return arr.numpy()


def check_not_empty(shape: tuple[int, ...], item: Any) -> None:
    """Refuse an image array, tensor or PIL image with no pixel.

    (Files get :func:`inpaintzoo.utils.image_io.check_min_size`, which raises
    the file reader's :class:`ImageReadError`.)

    Args:
        shape (tuple[int, ...]): its ``(H, W, ...)`` shape.
        item: the input, named in the message.

    Raises:
        InvalidImageError: ``H == 0`` or ``W == 0``.
    """
    height, width = shape[:2]
    if height == 0 or width == 0:
        raise InvalidImageError(
            f'image {input_name(item)} is {width}x{height} (W x H); need at least 1x1'
        )


def to_rgb_uint8(image: ImageLike, orientation: Orientation = 'exif') -> np.ndarray:
    """One image -> ``(H, W, 3)`` uint8 RGB.

    Args:
        image: a file path, array, PIL image or tensor (module doc).
        orientation: ``'exif'`` (default) or ``'stored'``, for files and PIL
            images (module doc).

    Raises:
        ImageReadError: an unreadable file, or a PIL image of a mode files of
            which are refused too (floating point).
        InvalidImageError: a type, shape, dtype or value range that is not an
            image, or no pixel at all (the message says what is accepted).
        ConfigError: an unknown ``orientation``.
    """
    check_orientation(orientation)
    if isinstance(image, str | os.PathLike):
        return read_image(Path(image), orientation=orientation)
    if isinstance(image, Image.Image):
        arr = image_pixels(image, input_name(image), orientation)  # as files are read
        check_not_empty(arr.shape, image)
        return arr
    if torch.is_tensor(image):
        return _array_to_rgb_uint8(_image_tensor_hwc(image), image)
    if not isinstance(image, np.ndarray):
        raise InvalidImageError(
            f'image must be a file path, a numpy array, a PIL image or a tensor, '
            f'got {type(image).__name__}'
        )
    return _array_to_rgb_uint8(image, image)


def _image_tensor_hwc(image: torch.Tensor) -> np.ndarray:
    """A ``(3, H, W)`` / ``(1, 3, H, W)`` image tensor as an ``(H, W, 3)`` array."""
    arr = image
    if arr.dim() == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.dim() != 3 or arr.shape[0] not in (1, 3):
        raise InvalidImageError(
            f'image tensor must be (3, H, W) or (N, 3, H, W), got shape '
            f'{tuple(image.shape)}'
        )
    return tensor_numpy(arr.permute(1, 2, 0))


def _array_to_rgb_uint8(image: np.ndarray, source: Any) -> np.ndarray:
    """An ``(H, W)``, ``(H, W, 1|3|4)`` array -> ``(H, W, 3)`` uint8 RGB.

    ``source`` (the array or tensor the user gave) is named in messages.
    """
    arr = image[..., None] if image.ndim == 2 else image
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        raise InvalidImageError(
            f'image array must be (H, W, 3) RGB (or (H, W) grey, (H, W, 4) RGBA), '
            f'got shape {image.shape}'
        )
    check_not_empty(arr.shape, source)
    arr = np.repeat(arr, 3, axis=2) if arr.shape[2] == 1 else arr[..., :3]
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    if np.issubdtype(arr.dtype, np.floating):
        finite = np.isfinite(arr)
        if not finite.all():
            n_nan = int(np.isnan(arr).sum())
            raise InvalidImageError(
                f'float image of shape {image.shape} must hold finite values in '
                f'[0, 1], got {n_nan} NaN and {int((~finite).sum()) - n_nan} Inf '
                f'value(s) of {arr.size}; replace them (e.g. np.nan_to_num) or '
                'check what produced the image'
            )
        if not 0 <= arr.min() <= arr.max() <= 1:
            raise InvalidImageError(
                f'float image of shape {image.shape} must hold finite values in '
                f'[0, 1], got [{arr.min():.4g}, {arr.max():.4g}]; pass uint8 RGB '
                'in [0, 255] or divide by 255'
            )
        return np.round(arr * 255).astype(np.uint8)
    raise InvalidImageError(
        f'image array has dtype {image.dtype}; pass uint8 RGB in [0, 255] or '
        'float in [0, 1] (16-bit images: read the file path instead)'
    )


def pair_inputs(images: Any, masks: Any) -> tuple[list[Any], list[Any], bool]:
    """Split images and masks into equal-length lists.

    Returns:
        tuple: ``(images, masks, batched)``; ``batched`` is False for one
        image (the caller then returns one result, not a list). One mask given
        for several images is used for all of them.
    """
    batched = isinstance(images, list | tuple) or _is_batch(images)
    image_list = split_batch(images)
    mask_list = split_batch(masks) if _mask_is_list(masks) else [masks]
    if not image_list:
        raise InvalidImageError('no image given: pass at least one image')
    if len(mask_list) == 1 and len(image_list) > 1:
        mask_list = mask_list * len(image_list)
    if len(mask_list) != len(image_list):
        raise InvalidMaskError(
            f'{len(image_list)} images but {len(mask_list)} masks: pass one mask '
            'per image, or one mask for all of them'
        )
    return image_list, mask_list, batched


def _mask_is_list(masks: Any) -> bool:
    if isinstance(masks, list | tuple):
        return True
    return _is_batch(masks) and masks.shape[0] > 1


def check_same_size(
    image: np.ndarray,
    mask: np.ndarray,
    image_src: Any,
    mask_src: Any,
    orientation: Orientation = 'exif',
) -> None:
    """Raise :class:`InvalidMaskError` naming both sizes if they differ.

    When the image file is turned by its EXIF tag and the mask fits it the other
    way round, the message says so and names the ``orientation`` switch.
    """
    if image.shape[:2] != mask.shape[:2]:
        raise InvalidMaskError(
            size_mismatch(
                image_src, mask_src, image.shape[:2], mask.shape[:2], orientation
            )
        )


def size_mismatch(
    image_src: Any,
    mask_src: Any,
    image_hw: tuple[int, int],
    mask_hw: tuple[int, int],
    orientation: str = 'exif',
) -> str:
    """The message for a mask of another size than its image (one line).

    Args:
        image_src: the image as given (a path or an object, named in the message).
        mask_src: the mask as given.
        image_hw (tuple[int, int]): the image's (H, W) as read.
        mask_hw (tuple[int, int]): the mask's (H, W) as read.
        orientation (str): how the files were read (``'exif'`` or ``'stored'``);
            a swapped size of a turned file (EXIF 5-8) adds the switch to use.
    """
    (ih, iw), (mh, mw) = tuple(image_hw), tuple(mask_hw)
    return (
        f'mask {input_name(mask_src)} is {mw}x{mh} (W x H) but image '
        f"{input_name(image_src)} is {iw}x{ih}: a mask must have its image's size; "
        'resize the mask (nearest neighbour) or pass the matching one'
        + _orientation_hint(image_src, mask_src, (ih, iw), (mh, mw), orientation)
    )


def _orientation_hint(
    image_src: Any,
    mask_src: Any,
    image_hw: tuple[int, int],
    mask_hw: tuple[int, int],
    orientation: str,
) -> str:
    """A hint when a turned (EXIF 5-8) image file and its mask are swapped sizes."""
    if mask_hw != image_hw[::-1]:
        return ''
    tags = [
        file_exif_orientation(src) if isinstance(src, str | os.PathLike) else 1
        for src in (image_src, mask_src)
    ]
    if max(tags) < 5:  # 1-4 keep the size
        return ''
    other = 'stored' if orientation == 'exif' else 'exif'
    return (
        f' (EXIF orientation tags: image {tags[0]}, mask {tags[1]}; they were read '
        f"with orientation='{orientation}': if the mask was drawn on the picture "
        f"the other way round, use orientation='{other}' "
        f'(`--orientation {other}`))'
    )


def to_model_inputs(images: Sequence[np.ndarray], masks: Sequence[np.ndarray]) -> dict:
    """Data dict for the model's data preprocessor (one item per image).

    Args:
        images: ``(H, W, 3)`` uint8 RGB arrays.
        masks: ``(H, W)`` float32 arrays, 1 = hole.

    Returns:
        dict: ``{'inputs': {'img': [(3, H, W) uint8], 'mask': [(1, H, W) float32]}}``
        as ``PackInpaintInputs`` packs them.
    """
    img = [torch.from_numpy(np.array(i, np.uint8)).permute(2, 0, 1) for i in images]
    mask = [torch.from_numpy(np.array(m, np.float32))[None] for m in masks]
    return dict(inputs=dict(img=img, mask=mask), data_samples=None)
