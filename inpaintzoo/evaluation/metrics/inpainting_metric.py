"""PSNR / SSIM / L1 of the official protocol, overall and per mask bucket."""

from collections.abc import Sequence

import torch

from inpaintzoo.evaluation.functional import chw_to_hwc, l1, psnr, quantize_official
from inpaintzoo.evaluation.functional import ssim as ssim_fn
from inpaintzoo.registry import METRICS
from inpaintzoo.utils.errors import ConfigError

from .bucketed_metric import BucketedImageMetric

SUPPORTED = ('PSNR', 'SSIM', 'L1')


@METRICS.register_module()
class InpaintingMetric(BucketedImageMetric):
    """PSNR, SSIM and L1 on the composite, averaged overall and per bucket.

    ``process`` reads each sample's ``pred_img`` (3, H, W) float in [0, 1] (the
    composite), ``gt_img`` (3, H, W) float in [0, 1], ``mask`` (1, H, W) with
    1 = hole and the ``mask_bucket`` meta field (falls back to the bucket of the
    hole ratio). PSNR/SSIM score :func:`quantize_official` uint8 images, L1 the
    unquantised floats ×100. Only scalars are stored.

    ``compute_metrics`` returns the arithmetic mean of the per-image values
    with keys ``PSNR``, ``SSIM``, ``L1`` (overall) and ``PSNR_0.01-20%``, …
    per bucket; buckets without images are omitted. It also returns the image
    counts behind the means: ``images`` (overall), ``images_<bucket>`` and
    ``excluded_empty_mask``.

    An image whose mask has no hole pixel would score a perfect PSNR 100,
    SSIM 1, L1 0 (the composite equals the GT) and pull "overall" up; it has no
    bucket. By default such images are not scored: they are left out of every
    mean, counted in ``excluded_empty_mask`` and named in one logged warning.

    Args:
        metrics (Sequence[str]): subset of ``('PSNR', 'SSIM', 'L1')``.
            Defaults to all three.
        include_empty_masks (bool): score images whose mask has no hole and
            include them in "overall" as the official scripts do (in a bucket
            only when their ``mask_bucket`` metadata names one). Defaults to
            False.
        collect_device (str): device for collecting results across ranks.
            Defaults to ``'cpu'``.
        prefix (str, optional): key prefix; defaults to ``'inpaint'``.
    """

    def __init__(
        self,
        metrics: Sequence[str] = SUPPORTED,
        include_empty_masks: bool = False,
        collect_device: str = 'cpu',
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(metrics, str):
            metrics = (metrics,)
        unknown = [m for m in metrics if m not in SUPPORTED]
        if unknown or not metrics:
            raise ConfigError(
                f'InpaintingMetric.metrics: unknown {unknown} (got {list(metrics)}); '
                f'allowed: {list(SUPPORTED)}'
            )
        self.metrics = tuple(metrics)
        self.names = self.metrics
        self.include_empty_masks = include_empty_masks

    def score(self, pred: torch.Tensor, gt: torch.Tensor) -> dict[str, float]:
        """PSNR/SSIM of the quantised images and L1 of the floats.

        Args:
            pred (Tensor): (3, H, W) float composite in [0, 1].
            gt (Tensor): (3, H, W) float ground truth in [0, 1].

        Returns:
            dict[str, float]: the selected ``PSNR``, ``SSIM``, ``L1`` values.
        """
        row: dict[str, float] = {}
        if 'PSNR' in self.metrics or 'SSIM' in self.metrics:
            pred_u8 = quantize_official(chw_to_hwc(pred))
            gt_u8 = quantize_official(chw_to_hwc(gt))
            if 'PSNR' in self.metrics:
                row['PSNR'] = psnr(pred_u8, gt_u8)
            if 'SSIM' in self.metrics:
                row['SSIM'] = ssim_fn(pred_u8, gt_u8)
        if 'L1' in self.metrics:
            row['L1'] = l1(pred, gt)
        return row
