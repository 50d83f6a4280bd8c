"""Per-image metrics of the official test protocol (reference-models §1.11).

PSNR and SSIM score ``uint8`` images produced by :func:`quantize_official`;
L1 scores the unquantised ``[0, 1]`` floats and is reported ×:data:`L1_SCALE`.
"""

import numpy as np
import torch

#: The thesis tables report L1 as a percent of the full range: raw mean × 100.
L1_SCALE = 100.0
#: Official cap of PSNR (identical images would otherwise give ``inf``).
PSNR_CAP = 100.0

ArrayLike = np.ndarray | torch.Tensor


def _to_numpy(x: ArrayLike) -> np.ndarray:
    if torch.is_tensor(x):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def quantize_official(img: ArrayLike) -> np.ndarray:
    """Quantise a ``[0, 1]`` image exactly like the official test scripts.

    The values are clamped to ``[0, 1]``, multiplied by 255 in ``float32`` and
    cast with ``astype(uint8)``, which **truncates**. Because ``k / 255 * 255``
    in ``float32`` may land just below ``k``, some values become ``k - 1``.

    Args:
        img (np.ndarray | Tensor): any shape, float in [0, 1]. The layout is
            kept, e.g. (H, W, 3) stays (H, W, 3).

    Returns:
        np.ndarray: uint8 array of the same shape.
    """
    arr = _to_numpy(img).astype(np.float32, copy=True)
    np.clip(arr, 0.0, 1.0, out=arr)
    return (arr * np.float32(255.0)).astype(np.uint8)


def chw_to_hwc(img: ArrayLike) -> np.ndarray:
    """Convert a (3, H, W) image to a (H, W, 3) numpy array.

    Args:
        img (np.ndarray | Tensor): (3, H, W) or (1, 3, H, W).

    Returns:
        np.ndarray: (H, W, 3), same dtype.
    """
    arr = _to_numpy(img)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 3 or arr.shape[0] != 3:
        raise ValueError(f'expected a (3, H, W) image, got shape {arr.shape}')
    return np.ascontiguousarray(arr.transpose(1, 2, 0))


def _check_pair(pred: np.ndarray, gt: np.ndarray, dtype: type | None) -> None:
    if pred.shape != gt.shape:
        raise ValueError(
            f'prediction shape {pred.shape} differs from ground truth {gt.shape}'
        )
    if dtype is not None and (pred.dtype != dtype or gt.dtype != dtype):
        raise TypeError(
            f'expected {np.dtype(dtype).name} images (use quantize_official), got '
            f'{pred.dtype} and {gt.dtype}'
        )


def psnr(pred_u8: np.ndarray, gt_u8: np.ndarray) -> float:
    """PSNR of two uint8 images, as ``skimage.metrics.peak_signal_noise_ratio``.

    ``data_range`` is 255 (from the uint8 dtype), the MSE is taken over all
    values (H×W×3) and the result is capped at :data:`PSNR_CAP` (100).

    Args:
        pred_u8 (np.ndarray): (H, W, 3) uint8.
        gt_u8 (np.ndarray): (H, W, 3) uint8.

    Returns:
        float: PSNR in dB, at most 100.
    """
    pred, gt = np.asarray(pred_u8), np.asarray(gt_u8)
    _check_pair(pred, gt, np.uint8)
    mse = np.mean((gt.astype(np.float64) - pred.astype(np.float64)) ** 2)
    if mse == 0:
        return PSNR_CAP
    return float(min(10.0 * np.log10(255.0**2 / mse), PSNR_CAP))


def ssim(pred_u8: np.ndarray, gt_u8: np.ndarray) -> float:
    """SSIM of two uint8 RGB images with the official scikit-image settings.

    ``structural_similarity(gt, pred, data_range=255, channel_axis=-1)``:
    7×7 uniform window, K1 0.01, K2 0.03, sample covariance, mean over channels.

    Args:
        pred_u8 (np.ndarray): (H, W, 3) uint8, H and W at least 7.
        gt_u8 (np.ndarray): (H, W, 3) uint8.

    Returns:
        float: mean SSIM in [-1, 1].
    """
    pred, gt = np.asarray(pred_u8), np.asarray(gt_u8)
    _check_pair(pred, gt, np.uint8)
    from skimage.metrics import structural_similarity  # lazy: imports scipy

    return float(structural_similarity(gt, pred, data_range=255, channel_axis=-1))


def l1(pred: ArrayLike, gt: ArrayLike, scale: float = L1_SCALE) -> float:
    """Mean absolute error on unquantised floats, scaled (×100 by default).

    The official scripts compute ``F.l1_loss(I_comp, I)`` over 3×H×W values in
    [0, 1]; the thesis tables report it ×100.

    Args:
        pred (np.ndarray | Tensor): any shape, float in [0, 1] (the composite).
        gt (np.ndarray | Tensor): same shape, float in [0, 1].
        scale (float): multiplier of the raw mean. Defaults to 100.

    Returns:
        float: ``scale * mean(|pred - gt|)``.
    """
    p = _to_numpy(pred).astype(np.float64)
    g = _to_numpy(gt).astype(np.float64)
    _check_pair(p, g, None)
    return float(np.mean(np.abs(p - g)) * scale)
