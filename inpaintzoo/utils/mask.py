"""The one rule that turns a user's mask file into a binary hole mask.

Rule (documented in ``docs/data_preparation.md``):

1. Collapse channels: a grey mask is used as is; for RGB(A) the maximum over the
   colour channels is taken (alpha is ignored).
2. Convention ``'white_hole'`` (default, NVIDIA / EdgeConnect / the four official
   repositories): a pixel is a hole iff its value is ``> threshold``.
   ``'black_hole'`` (MAT / LaMa-style, 255 = known): a pixel is a hole iff its
   value is ``<= 255 - threshold - 1``, i.e. the image is inverted first.
3. ``threshold`` defaults to 0, the official rule of HINT, MxT and SEM-Net and of
   every model's training masks: any non-zero pixel is a hole, so anti-aliased
   grey edges count as hole (NCLG-MT's test masks: 100, see docs/data_preparation.md).

The result is ``float32`` with 1 = hole and 0 = known.
"""

from typing import Literal

import numpy as np
import torch

from inpaintzoo.utils.errors import InvalidMaskError

MaskConvention = Literal['white_hole', 'black_hole']


def binarize_mask(
    mask: np.ndarray,
    convention: MaskConvention = 'white_hole',
    threshold: float = 0,
) -> np.ndarray:
    """Binarise a mask image with the documented rule.

    Args:
        mask (np.ndarray): (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), uint8 in
            [0, 255] or bool.
        convention (str): ``'white_hole'`` or ``'black_hole'``. Defaults to
            ``'white_hole'``.
        threshold (float): values ``> threshold`` (after inversion for
            ``'black_hole'``) are holes. Defaults to 0.

    Returns:
        np.ndarray: (H, W) float32, 1 = hole.
    """
    if convention not in ('white_hole', 'black_hole'):
        raise InvalidMaskError(
            f"mask convention must be 'white_hole' or 'black_hole', got {convention!r}"
        )
    arr = np.asarray(mask)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    if arr.ndim == 3:
        if arr.shape[2] not in (1, 3, 4):
            raise InvalidMaskError(
                f'mask must have 1, 3 or 4 channels, got shape {tuple(arr.shape)}'
            )
        arr = arr[..., :3].max(axis=2)
    if arr.ndim != 2:
        raise InvalidMaskError(f'mask must be 2-D or HxWxC, got shape {arr.shape}')
    if arr.dtype != np.uint8:
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise InvalidMaskError(
                'mask values must lie in [0, 255], got range '
                f'[{arr.min()}, {arr.max()}]'
            )
        arr = arr.astype(np.float32)
    values = arr.astype(np.float32)
    if convention == 'black_hole':
        values = 255.0 - values
    return (values > threshold).astype(np.float32)


def check_mask_tensor(mask: torch.Tensor, img: torch.Tensor | None = None) -> None:
    """Validate a model-space mask; raise :class:`InvalidMaskError` if it is bad.

    Args:
        mask (Tensor): expected (N, 1, H, W) with values in {0, 1}, 1 = hole.
        img (Tensor, optional): (N, C, H, W) image the mask belongs to; its batch
            and spatial size must match.
    """
    if not torch.is_tensor(mask):
        raise InvalidMaskError(
            f'mask must be a torch.Tensor, got {type(mask).__name__}'
        )
    if mask.dim() != 4 or mask.shape[1] != 1:
        raise InvalidMaskError(
            f'mask must have shape (N, 1, H, W), got {tuple(mask.shape)}'
        )
    if img is not None and (
        mask.shape[0] != img.shape[0] or mask.shape[-2:] != img.shape[-2:]
    ):
        raise InvalidMaskError(
            f'mask of shape {tuple(mask.shape)} does not match image of shape '
            f'{tuple(img.shape)}: batch size and H, W must be equal'
        )
    if mask.numel() and not bool(((mask == 0) | (mask == 1)).all()):
        bad = mask[(mask != 0) & (mask != 1)]
        raise InvalidMaskError(
            'mask must be binary (1 = hole, 0 = known); found '
            f'{bad.numel()} values outside {{0, 1}}, '
            f'e.g. {bad.flatten()[0].item():.4g}. '
            'Binarise mask files with inpaintzoo.utils.mask.binarize_mask.'
        )
