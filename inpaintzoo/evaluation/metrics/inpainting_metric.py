"""PSNR / SSIM / L1 of the official protocol, overall and per mask bucket."""

from collections.abc import Sequence

from mmengine.evaluator import BaseMetric

from inpaintzoo.evaluation.functional import chw_to_hwc, l1, psnr, quantize_official
from inpaintzoo.evaluation.functional import ssim as ssim_fn
from inpaintzoo.registry import METRICS
from inpaintzoo.utils.errors import ConfigError

from .sample_utils import bucketed_means, check_unit_range, get_tensor, sample_bucket

SUPPORTED = ('PSNR', 'SSIM', 'L1')


@METRICS.register_module()
class InpaintingMetric(BaseMetric):
    """PSNR, SSIM and L1 on the composite, averaged overall and per bucket.

    ``process`` reads each sample's ``pred_img`` (3, H, W) float in [0, 1] (the
    composite), ``gt_img`` (3, H, W) float in [0, 1], ``mask`` (1, H, W) with
    1 = hole and the ``mask_bucket`` meta field (falls back to the bucket of the
    hole ratio). PSNR/SSIM score :func:`quantize_official` uint8 images, L1 the
    unquantised floats ×100. Only scalars are stored.

    ``compute_metrics`` returns the arithmetic mean of the per-image values
    with keys ``PSNR``, ``SSIM``, ``L1`` (overall) and ``PSNR_0.01-20%``, …
    per bucket; buckets without images are omitted.

    Args:
        metrics (Sequence[str]): subset of ``('PSNR', 'SSIM', 'L1')``.
            Defaults to all three.
        collect_device (str): device for collecting results across ranks.
            Defaults to ``'cpu'``.
        prefix (str, optional): key prefix; defaults to ``'inpaint'``.
    """

    default_prefix = 'inpaint'

    def __init__(
        self,
        metrics: Sequence[str] = SUPPORTED,
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

    def process(self, data_batch: object, data_samples: Sequence[dict]) -> None:
        """Score each sample and store its scalars.

        Args:
            data_batch (object): unused.
            data_samples (Sequence[dict]): samples as dicts (``.to_dict()``).
        """
        for sample in data_samples:
            pred = get_tensor(sample, 'pred_img')
            gt = get_tensor(sample, 'gt_img')
            mask = get_tensor(sample, 'mask')
            check_unit_range(pred, 'pred_img')
            check_unit_range(gt, 'gt_img')
            row: dict = dict(bucket=sample_bucket(sample, mask))
            if 'PSNR' in self.metrics or 'SSIM' in self.metrics:
                pred_u8 = quantize_official(chw_to_hwc(pred))
                gt_u8 = quantize_official(chw_to_hwc(gt))
                if 'PSNR' in self.metrics:
                    row['PSNR'] = psnr(pred_u8, gt_u8)
                if 'SSIM' in self.metrics:
                    row['SSIM'] = ssim_fn(pred_u8, gt_u8)
            if 'L1' in self.metrics:
                row['L1'] = l1(pred, gt)
            self.results.append(row)

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Mean of the per-image values, overall and per bucket.

        Args:
            results (list): the stored per-sample dicts.

        Returns:
            dict[str, float]: flat keys, e.g. ``{'PSNR': .., 'PSNR_20-40%': ..}``.
        """
        return bucketed_means(results, self.metrics)
