"""Put an inpainted aligned crop back into the full-resolution photo.

The crop result is warped back with the alignment's inverse and blended with a
feathered alpha: 1 on the hole (warped back to the photo), falling linearly to 0
at ``feather`` pixels (exact Euclidean distance between pixel centres) outside
it. Every photo pixel ``feather`` or more pixels from the hole keeps its
original bytes exactly.
"""

import cv2
import numpy as np

from inpaintzoo.face.align import FaceAlignment
from inpaintzoo.utils.errors import ConfigError

#: default width of the blended seam, photo pixels
DEFAULT_FEATHER = 6


def _warp_hole(
    mask: np.ndarray, matrix: np.ndarray, size_wh: tuple[int, int]
) -> np.ndarray:
    """Bilinear affine warp of a hole mask's hole fraction.

    Args:
        mask (np.ndarray): (H, W) uint8, > 127 = hole.
        matrix (np.ndarray): (2, 3) affine matrix, source -> destination pixels.
        size_wh (tuple[int, int]): destination (width, height).

    Returns:
        np.ndarray: (height, width) float32 in [0, 1], 0 outside the source.
    """
    return cv2.warpAffine(
        (np.asarray(mask) > 127).astype(np.float32),
        matrix,
        size_wh,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


def mask_to_photo(crop_mask: np.ndarray, alignment: FaceAlignment) -> np.ndarray:
    """A crop hole warped into the photo.

    Args:
        crop_mask (np.ndarray): (S, S) uint8, 255 (or > 127) = hole.
        alignment (FaceAlignment): the photo <-> crop mapping.

    Returns:
        np.ndarray: (H, W) uint8, 255 = hole (a photo pixel is a hole when the
        bilinear warp of the crop hole is at least half).
    """
    h, w = alignment.photo_shape
    soft = _warp_hole(crop_mask, alignment.inverse, (w, h))
    return (soft >= 0.5).astype(np.uint8) * np.uint8(255)


def mask_to_crop(photo_mask: np.ndarray, alignment: FaceAlignment) -> np.ndarray:
    """A photo hole warped into the aligned crop: (S, S) uint8, 255 = hole.

    A crop pixel is a hole when any part of the photo hole reaches it
    (bilinear warp > 0), so the network never sees a hole pixel as known.
    """
    s = alignment.size
    soft = _warp_hole(photo_mask, alignment.matrix, (s, s))
    return (soft > 1e-3).astype(np.uint8) * np.uint8(255)


def feather_alpha(photo_mask: np.ndarray, feather: float) -> np.ndarray:
    """(H, W) float32 alpha: 1 on the hole, ``1 - d / feather`` at distance d.

    ``d`` is the exact Euclidean distance (pixel centres) to the nearest hole
    pixel, so the alpha is 0 for every pixel ``feather`` or more pixels away;
    ``feather=0`` gives the hard hole.
    """
    if not feather >= 0:
        raise ConfigError(f'feather must be >= 0 pixels, got {feather!r}')
    hole = np.asarray(photo_mask) > 127
    if feather == 0 or not hole.any():
        return hole.astype(np.float32)
    dist = cv2.distanceTransform(
        (~hole).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE
    )
    return np.clip(1 - dist / feather, 0, 1).astype(np.float32)


def paste_back(
    photo: np.ndarray,
    crop_result: np.ndarray,
    photo_mask: np.ndarray,
    alignment: FaceAlignment,
    feather: float = DEFAULT_FEATHER,
) -> np.ndarray:
    """Blend an inpainted crop into the photo over the hole and a feathered seam.

    Args:
        photo (np.ndarray): (H, W, 3) uint8 RGB original.
        crop_result (np.ndarray): (S, S, 3) uint8 inpainted aligned crop.
        photo_mask (np.ndarray): (H, W) uint8 hole in photo pixels, 255 = hole.
        alignment (FaceAlignment): the mapping the crop was made with.
        feather (float): seam width outside the hole, photo pixels. Defaults to 6.

    Returns:
        np.ndarray: (H, W, 3) uint8; equal to ``photo`` byte for byte wherever
        the alpha is 0 (``feather`` or more pixels from the hole, or outside the
        crop).
    """
    h, w = photo.shape[:2]
    back = cv2.warpAffine(
        np.ascontiguousarray(crop_result),
        alignment.inverse,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    inside = cv2.warpAffine(
        np.ones(crop_result.shape[:2], np.float32),
        alignment.inverse,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    alpha = feather_alpha(photo_mask, feather) * np.clip(inside, 0, 1)
    blend = alpha[..., None] * back.astype(np.float32) + (1 - alpha[..., None]) * photo
    out = np.clip(np.round(blend), 0, 255).astype(np.uint8)
    return np.where(alpha[..., None] > 0, out, photo)
