"""Pure metric functions of the official test protocol."""

from .frechet import feature_statistics, frechet_distance
from .image_metrics import (
    L1_SCALE,
    PSNR_CAP,
    chw_to_hwc,
    l1,
    psnr,
    quantize_official,
    ssim,
)
from .matlab_ssim import matlab_gaussian_taps, ssim_matlab

__all__ = [
    'L1_SCALE',
    'PSNR_CAP',
    'chw_to_hwc',
    'feature_statistics',
    'frechet_distance',
    'l1',
    'matlab_gaussian_taps',
    'psnr',
    'quantize_official',
    'ssim',
    'ssim_matlab',
]
