"""Checks and hole filling for the ``(img, mask)`` pair a generator receives.

A generator (and the inpaintor around it) takes ``img`` (N, C, H, W) float in
[0, 1] and ``mask`` (N, 1, H, W) in {0, 1}, 1 = hole. Hole pixels carry no
information: they may hold anything, NaN and Inf included, and are *replaced*
(``torch.where``), never multiplied by zero (``NaN * 0`` is NaN). Known pixels
must be finite and in the expected range; a batch of images in [0, 255] or
[-1, 1] handed to the model directly is refused instead of silently inpainted.
"""

import torch
from torch import Tensor

from inpaintzoo.utils.errors import InvalidImageError
from inpaintzoo.utils.mask import check_mask_tensor

# Known pixels may stray this far outside [0, 1] (resampling overshoot) before an
# image counts as being in another range ([0, 255], [-1, 1]).
RANGE_SLACK = 0.5


def check_image_tensor(
    img: Tensor,
    mask: Tensor,
    value_range: tuple[float, float] = (0.0, 1.0),
    source: str = 'img',
) -> None:
    """Validate a model-space image and its mask; raise a clear error if bad.

    Only known pixels (``mask == 0``) are checked for values; hole pixels may hold
    anything. The mask is checked with
    :func:`~inpaintzoo.utils.mask.check_mask_tensor`.

    Args:
        img (Tensor): expected (N, C, H, W) floating point, N >= 1, known pixels
            finite and within ``value_range`` (± :data:`RANGE_SLACK`).
        mask (Tensor): (N, 1, H, W) in {0, 1}, 1 = hole.
        value_range (tuple[float, float]): the range the model expects. Defaults to
            ``(0.0, 1.0)``.
        source (str): how the message names the image, e.g. ``'generator input'``.
            Defaults to ``'img'``.

    Raises:
        InvalidImageError: wrong type, dimensionality, dtype, empty batch, NaN/Inf
            in known pixels or values outside the expected range.
        InvalidMaskError: bad mask (shape, batch/size mismatch, non-binary values).
    """
    if not torch.is_tensor(img):
        raise InvalidImageError(
            f'{source} must be a torch.Tensor of shape (N, C, H, W), '
            f'got {type(img).__name__}'
        )
    if img.dim() != 4:
        hint = (
            ' For one image of shape (C, H, W) add the batch dimension: img[None]'
            ' (and mask[None]).'
            if img.dim() == 3
            else ''
        )
        raise InvalidImageError(
            f'{source} must have shape (N, C, H, W), got {tuple(img.shape)}.{hint}'
        )
    if img.shape[0] == 0:
        raise InvalidImageError(
            f'{source} is an empty batch (shape {tuple(img.shape)}); pass at least '
            'one image'
        )
    if not img.is_floating_point():
        raise InvalidImageError(
            f'{source} has dtype {img.dtype}; the model expects floating point '
            f'values in [{value_range[0]:g}, {value_range[1]:g}]. Convert uint8 '
            'images with img.float() / 255 (InpaintDataPreprocessor does this).'
        )
    check_mask_tensor(mask, img)
    known = mask < 0.5  # (N, 1, H, W), broadcast over channels
    if not bool(known.any()):
        return  # all hole: no pixel of img is used
    low, high = value_range
    vals = img.masked_select(known)  # 1-D, known pixels of every channel
    finite = torch.isfinite(vals)
    if not bool(finite.all()):
        bad = vals[~finite]
        raise InvalidImageError(
            f'{source} has {bad.numel()} NaN/Inf values in known pixels '
            f'(mask == 0), e.g. {bad[0].item()}. Only hole pixels (mask == 1) may '
            'hold anything; fix the image or mark those pixels as holes.'
        )
    found_lo, found_hi = (v.item() for v in torch.aminmax(vals))
    if found_lo < low - RANGE_SLACK or found_hi > high + RANGE_SLACK:
        raise InvalidImageError(
            f'{source} known pixels span [{found_lo:.4g}, {found_hi:.4g}] but the '
            f'model expects [{low:g}, {high:g}]. Images in [0, 255] must be divided '
            'by 255; images in [-1, 1] mapped with (img + 1) / 2.'
        )


def fill_holes(img: Tensor, mask: Tensor, value: float) -> Tensor:
    """Replace hole pixels by ``value`` (NaN/Inf there cannot leak).

    Args:
        img (Tensor): (N, C, H, W).
        mask (Tensor): (N, 1, H, W) in {0, 1}, 1 = hole.
        value (float): fill value.

    Returns:
        Tensor: (N, C, H, W), ``value`` where ``mask > 0.5``, ``img`` elsewhere.
    """
    return torch.where(mask > 0.5, torch.full_like(img, value), img)
