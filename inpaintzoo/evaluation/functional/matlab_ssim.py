"""SSIM as MATLAB's ``ssim(A, ref)`` computes it (Image Processing Toolbox, R2014a+).

The deblurring papers that Table 5.5 of the thesis compares with (MPRNet,
Restormer, ...) score their GoPro / HIDE results with MATLAB scripts that call
``ssim(output, gt)`` on the uint8 RGB PNGs. MATLAB takes an ``H x W x 3`` array
as a 3-D *volume*, not as three 2-D images:

* the weighting window is an isotropic 3-D Gaussian, sigma 1.5
  (``'Radius'``), ``2 * ceil(3 * sigma) + 1 = 11`` taps per axis, normalised to
  sum 1, over rows, columns **and the channel axis**;
* borders are padded by replicating the edge values (``'replicate'``), also
  along the 3 channels; the map has the input's size;
* local means, population variances and covariance, then
  ``((2 mu_x mu_y + C1) (2 s_xy + C2)) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2))``
  with ``C1 = (0.01 L)^2``, ``C2 = (0.03 L)^2`` and ``L = 255`` for uint8;
* the score is the mean of the whole map (no border cropped).

An ``H x W`` array is filtered in 2-D (the same Gaussian over rows and
columns). The 3-D Gaussian is separable (the product of three 1-D ones), so
it is applied as three 1-D passes.

Compared with the per-channel 2-D SSIM (Wang et al., averaged over R, G, B),
mixing the channels smooths away colour differences: on motion-blurred
photographs MATLAB's value is usually higher, by amounts that depend on the
picture (from about 0.004 to 0.15 in our measurements at 30 to 45 dB; a
box-blurred crop at 23 dB even came out slightly lower).
"""

import math

import numpy as np

#: MATLAB ``ssim``'s default ``'Radius'`` (the Gaussian's standard deviation)
MATLAB_SSIM_SIGMA = 1.5
#: K1, K2 of ``C1 = (K1 L)^2``, ``C2 = (K2 L)^2``
MATLAB_SSIM_K = (0.01, 0.03)


def matlab_gaussian_taps(sigma: float = MATLAB_SSIM_SIGMA) -> np.ndarray:
    """The 1-D factor of MATLAB ``ssim``'s Gaussian window.

    Args:
        sigma (float): standard deviation in pixels. Defaults to 1.5.

    Returns:
        np.ndarray: (2 * ceil(3 * sigma) + 1,) float64, symmetric, sums to 1
        (11 taps for sigma 1.5).
    """
    radius = math.ceil(3 * sigma)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    taps = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return taps / taps.sum()


def ssim_matlab(pred_u8: np.ndarray, gt_u8: np.ndarray) -> float:
    """SSIM of two uint8 images exactly as MATLAB's ``ssim(pred, gt)``.

    Args:
        pred_u8 (np.ndarray): (H, W) or (H, W, C) uint8; an (H, W, 3) RGB
            image is filtered as a volume, across the channels too.
        gt_u8 (np.ndarray): the reference, same shape and dtype.

    Returns:
        float: the mean of the (H, W[, C]) SSIM map.

    Raises:
        ValueError: the shapes differ, an array is empty, or it is not 2-D / 3-D.
        TypeError: an array is not uint8 (quantise first, e.g. round(x * 255)).
    """
    pred, gt = np.asarray(pred_u8), np.asarray(gt_u8)
    if pred.shape != gt.shape:
        raise ValueError(
            f'ssim_matlab: prediction {pred.shape} differs from reference {gt.shape}'
        )
    if pred.ndim not in (2, 3) or pred.size == 0:
        raise ValueError(
            f'ssim_matlab: expected a non-empty (H, W) or (H, W, C) image, got '
            f'shape {pred.shape}'
        )
    if pred.dtype != np.uint8 or gt.dtype != np.uint8:
        raise TypeError(
            f'ssim_matlab: expected uint8 images (L = 255), got {pred.dtype} and '
            f'{gt.dtype}; quantise the [0, 1] floats first'
        )
    from scipy.ndimage import correlate1d  # lazy: importing scipy adds a filter

    # (5, H, W[, C]) float64: x, y, x^2, y^2, xy, smoothed together, one 1-D
    # pass per image axis
    stats = np.empty((5, *pred.shape), np.float64)
    x, y = stats[0], stats[1]
    x[...], y[...] = pred, gt
    np.multiply(x, x, out=stats[2])
    np.multiply(y, y, out=stats[3])
    np.multiply(x, y, out=stats[4])
    taps = matlab_gaussian_taps()
    for axis in range(1, stats.ndim):
        stats = correlate1d(stats, taps, axis=axis, mode='nearest')  # replicate
    mu_x, mu_y, xx, yy, xy = stats
    var_x, var_y = xx - mu_x * mu_x, yy - mu_y * mu_y
    cov = xy - mu_x * mu_y
    c1, c2 = ((k * 255.0) ** 2 for k in MATLAB_SSIM_K)
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2)
    )
    return float(ssim_map.mean())
