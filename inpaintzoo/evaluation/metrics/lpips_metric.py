"""LPIPS (v0.1 linear heads, VGG trunk) on the composite, overall and per bucket."""

from collections.abc import Sequence

from mmengine.evaluator import BaseMetric
from torch import nn

from inpaintzoo.evaluation.feature_extractors import build_lpips, lpips_distance
from inpaintzoo.registry import METRICS

from .sample_utils import (
    EXCLUDED_ROW,
    bucketed_means,
    check_unit_range,
    get_tensor,
    has_hole,
    image_counts,
    log_empty_masks,
    sample_bucket,
    split_excluded,
)


@METRICS.register_module()
class LPIPSMetric(BaseMetric):
    """Mean per-image LPIPS of ``pred_img`` (composite) vs ``gt_img``.

    Follows the official protocol: ``lpips.LPIPS(net='vgg')`` (package
    ``lpips`` 0.1.4, v0.1 linear heads), both unquantised [0, 1] images mapped
    to [-1, 1], one image at a time. The network is built on the first
    :meth:`process` call (never in ``__init__``), on the data's device, and is
    not part of any ``state_dict``. Keys: ``LPIPS`` and ``LPIPS_<bucket>``.

    Images whose mask has no hole (LPIPS 0, no bucket) are left out of every
    mean by default and named in one logged warning, as in
    :class:`InpaintingMetric`.

    Args:
        net (str): LPIPS trunk. Defaults to ``'vgg'``.
        pnet_rand (bool): random trunk, for offline tests. Defaults to False.
        backbone_weights (str, optional): local torchvision trunk weights file
            (e.g. ``vgg16-397923af.pth``). Defaults to the torch hub cache; a
            clear error is raised when neither exists (no download).
        lin_weights (str, optional): linear-head weights; defaults to those
            shipped with the lpips package.
        include_empty_masks (bool): score images whose mask has no hole and
            include them in "overall". Defaults to False.
        report_counts (bool): also return the count keys ``images``,
            ``images_<bucket>`` and ``excluded_empty_mask``. Off by default
            because :class:`InpaintingMetric` returns them under the same keys
            and MMEngine refuses duplicate keys; turn it on when LPIPS runs
            without it. Defaults to False.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): key prefix; defaults to ``'inpaint'``.
    """

    default_prefix = 'inpaint'

    def __init__(
        self,
        net: str = 'vgg',
        pnet_rand: bool = False,
        backbone_weights: str | None = None,
        lin_weights: str | None = None,
        include_empty_masks: bool = False,
        report_counts: bool = False,
        collect_device: str = 'cpu',
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.net = net
        self.pnet_rand = pnet_rand
        self.backbone_weights = backbone_weights
        self.lin_weights = lin_weights
        self.include_empty_masks = include_empty_masks
        self.report_counts = report_counts
        self._model: nn.Module | None = None

    def _get_model(self, device: object) -> nn.Module:
        if self._model is None:
            self._model = build_lpips(
                net=self.net,
                pnet_rand=self.pnet_rand,
                backbone_weights=self.backbone_weights,
                lin_weights=self.lin_weights,
            )
        return self._model.to(device)

    def process(self, data_batch: object, data_samples: Sequence[dict]) -> None:
        """Compute LPIPS per sample and store the scalar with its bucket.

        Args:
            data_batch (object): unused.
            data_samples (Sequence[dict]): samples with ``pred_img``,
                ``gt_img`` (3, H, W) in [0, 1] and ``mask`` (1, H, W).
        """
        for sample in data_samples:
            pred = get_tensor(sample, 'pred_img')
            gt = get_tensor(sample, 'gt_img').to(pred.device)
            mask = get_tensor(sample, 'mask')
            check_unit_range(pred, 'pred_img')
            check_unit_range(gt, 'gt_img')
            empty = not has_hole(mask)
            if empty and not self.include_empty_masks:
                self.results.append(dict(EXCLUDED_ROW))
                continue
            model = self._get_model(pred.device)
            self.results.append(
                dict(
                    bucket=sample_bucket(sample, mask),
                    empty=empty,
                    LPIPS=lpips_distance(model, pred, gt),
                )
            )

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Mean LPIPS overall and per bucket (flat keys), counts on request."""
        scored, n_excluded = split_excluded(results)
        log_empty_masks(type(self).__name__, scored, n_excluded)
        out = bucketed_means(scored, ('LPIPS',))
        if self.report_counts:
            out.update(image_counts(scored, n_excluded))
        return out
