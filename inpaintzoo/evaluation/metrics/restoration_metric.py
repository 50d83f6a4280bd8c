"""PSNR / SSIM of restored images (deblurring), as the literature reports them.

Protocol (docs/deblurring.md), per image, then the arithmetic mean:

* the prediction is clamped to [0, 1] and quantised to uint8 by **rounding**
  (``round(x * 255)``, what saving the PNG that the MATLAB / Python scripts of
  MPRNet, Restormer and SFNet read does); the ground truth is the uint8 file;
* PSNR on RGB: MSE over all H x W x 3 values, peak 255, no border cropped, no
  Y channel, capped at 100 dB (:func:`inpaintzoo.evaluation.functional.psnr`);
  this equals MATLAB's ``psnr`` on the uint8 RGB images;
* SSIM, chosen by ``ssim_window``:

  - ``'matlab'`` (what the deblurring configs use): MATLAB's ``ssim(A, ref)`` on
    the H x W x 3 uint8 array, as the GoPro / HIDE evaluation scripts of MPRNet
    and Restormer call it, behind the comparison rows of thesis Table 5.5. MATLAB
    treats the array as a volume: an 11 x 11 x 11 Gaussian (sigma 1.5) smooths
    rows, columns *and* channels, replicate padding, the mean of the whole map
    (:func:`inpaintzoo.evaluation.functional.ssim_matlab`);
  - ``'gaussian'`` (the default): Wang et al.'s SSIM per channel, then the mean
    of R, G, B: 11 x 11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, population
    covariance, data range 255, the map's 5-pixel border left out (scikit-image).
    It does **not** agree with MATLAB's value: on motion-blurred photographs it is
    usually lower, by 0.004 to 0.15 depending on the picture, so it is not
    comparable with Table 5.5.

``quantize='truncate'`` and ``ssim_window='uniform'`` reproduce the inpainting
protocol of the official code instead (:func:`quantize_official`, 7 x 7 window).
"""

from collections.abc import Callable, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from inpaintzoo.evaluation.functional import (
    chw_to_hwc,
    psnr,
    quantize_official,
    ssim_matlab,
)
from inpaintzoo.evaluation.functional import ssim as uniform_ssim
from inpaintzoo.registry import METRICS
from inpaintzoo.utils.errors import ConfigError

from .sample_utils import check_finite, check_unit_range, get_tensor, sample_name

RESTORATION_METRICS = ('PSNR', 'SSIM')
QUANTIZE = ('round', 'truncate')
SSIM_WINDOWS = ('gaussian', 'uniform', 'matlab')


def quantize_round(img: torch.Tensor | np.ndarray) -> np.ndarray:
    """Clamp to [0, 1], scale by 255 and round to uint8 (the saved PNG).

    Args:
        img (Tensor | np.ndarray): float image, any layout.

    Returns:
        np.ndarray: uint8 array of the same shape.
    """
    arr = img.detach().cpu().numpy() if torch.is_tensor(img) else np.asarray(img)
    return np.rint(np.clip(arr.astype(np.float64), 0.0, 1.0) * 255.0).astype(np.uint8)


def ssim_gaussian(pred_u8: np.ndarray, gt_u8: np.ndarray) -> float:
    """SSIM of two (H, W, 3) uint8 images, Wang et al. settings, channel mean.

    Per-channel 2-D SSIM; the map's 5-pixel border is left out of the mean. Not
    MATLAB's ``ssim`` on RGB (that is :func:`ssim_matlab`).

    Args:
        pred_u8 (np.ndarray): (H, W, 3) uint8, H, W >= 11.
        gt_u8 (np.ndarray): (H, W, 3) uint8.

    Returns:
        float: mean SSIM over the three channels.
    """
    if pred_u8.shape != gt_u8.shape:
        raise ValueError(f'prediction {pred_u8.shape} differs from gt {gt_u8.shape}')
    from skimage.metrics import structural_similarity  # lazy: imports scipy

    return float(
        structural_similarity(
            gt_u8,
            pred_u8,
            data_range=255,
            channel_axis=-1,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
    )


#: SSIM of (H, W, 3) uint8 images by ``ssim_window``
SSIM_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    'gaussian': ssim_gaussian,
    'uniform': uniform_ssim,
    'matlab': ssim_matlab,
}


@METRICS.register_module()
class RestorationMetric(BaseMetric):
    """PSNR and SSIM of ``pred_img`` against ``gt_img`` (protocol above).

    ``process`` reads each sample's ``pred_img`` and ``gt_img`` ((3, H, W) float
    in [0, 1]); ``compute_metrics`` returns the means under ``PSNR`` / ``SSIM``
    and the count under ``images``.

    Args:
        metrics (Sequence[str]): subset of ``('PSNR', 'SSIM')``. Defaults to both.
        quantize (str): ``'round'`` (default) or ``'truncate'``.
        ssim_window (str): ``'gaussian'`` (default: per-channel 11 x 11
            Gaussian), ``'matlab'`` (MATLAB's ``ssim`` on the RGB volume, as
            thesis Table 5.5's rows; the deblurring configs' choice) or
            ``'uniform'`` (7 x 7, the inpainting protocol).
        collect_device (str): device for collecting across ranks. Defaults to
            ``'cpu'``.
        prefix (str, optional): key prefix; defaults to ``'restore'``.
    """

    default_prefix = 'restore'

    def __init__(
        self,
        metrics: Sequence[str] = RESTORATION_METRICS,
        quantize: str = 'round',
        ssim_window: str = 'gaussian',
        collect_device: str = 'cpu',
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        unknown = [m for m in metrics if m not in RESTORATION_METRICS]
        if unknown or not metrics:
            raise ConfigError(
                f'RestorationMetric.metrics: unknown {unknown} (got {list(metrics)}); '
                f'allowed: {list(RESTORATION_METRICS)}'
            )
        if quantize not in QUANTIZE:
            raise ConfigError(
                f'RestorationMetric.quantize must be one of {QUANTIZE}, got '
                f'{quantize!r}'
            )
        if ssim_window not in SSIM_WINDOWS:
            raise ConfigError(
                f'RestorationMetric.ssim_window must be one of {SSIM_WINDOWS}, got '
                f'{ssim_window!r}'
            )
        self.metrics, self.quantize, self.ssim_window = metrics, quantize, ssim_window

    def score(self, pred: torch.Tensor, gt: torch.Tensor) -> dict[str, float]:
        """Scores of one image pair.

        Args:
            pred (Tensor): (3, H, W) float in [0, 1] (values outside are clamped).
            gt (Tensor): (3, H, W) float in [0, 1].

        Returns:
            dict[str, float]: the selected ``PSNR`` (dB) and ``SSIM`` values.
        """
        quant = quantize_round if self.quantize == 'round' else quantize_official
        pred_u8, gt_u8 = quant(chw_to_hwc(pred)), quant(chw_to_hwc(gt))
        row = {}
        if 'PSNR' in self.metrics:
            row['PSNR'] = psnr(pred_u8, gt_u8)
        if 'SSIM' in self.metrics:
            row['SSIM'] = SSIM_FUNCTIONS[self.ssim_window](pred_u8, gt_u8)
        return row

    def process(self, data_batch: dict, data_samples: Sequence) -> None:
        """Score each sample of the batch and keep only the scalars."""
        for sample in data_samples:
            sample = sample.to_dict() if hasattr(sample, 'to_dict') else dict(sample)
            pred, gt = get_tensor(sample, 'pred_img'), get_tensor(sample, 'gt_img')
            name = f'RestorationMetric: {sample_name(sample)}'
            check_finite(pred, 'pred_img', name)  # range: clamped when quantised
            check_unit_range(gt, 'gt_img', name)
            if pred.shape != gt.shape:
                raise ValueError(
                    f'pred_img {tuple(pred.shape)} and gt_img {tuple(gt.shape)} of '
                    f'{sample.get("img_path")} differ in shape'
                )
            self.results.append(self.score(pred, gt))

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Means over the images, plus their count ``images``."""
        out: dict[str, float] = (
            {name: float(np.mean([r[name] for r in results])) for name in self.metrics}
            if results
            else {}
        )
        out['images'] = len(results)
        return out
