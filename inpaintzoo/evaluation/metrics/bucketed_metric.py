"""Base class of the per-image metrics averaged overall and per mask bucket."""

from collections.abc import Sequence
from typing import Any

import torch
from mmengine.evaluator import BaseMetric

from .sample_utils import (
    EXCLUDED_ROW,
    bucketed_means,
    check_unit_range,
    get_tensor,
    has_hole,
    image_counts,
    log_empty_masks,
    sample_bucket,
    sample_name,
    split_excluded,
)


class BucketedImageMetric(BaseMetric):
    """Score each composite against its GT, then average overall and per bucket.

    Subclasses set :attr:`names` (the metric names they report) and implement
    :meth:`score`; a metric that is not a mean of per-image values (FID) also
    overrides :meth:`compute_metrics`. This class reads ``pred_img`` (3, H, W)
    and ``gt_img`` (3, H, W), both float in [0, 1], and ``mask`` (1, H, W) with
    1 = hole from each sample dict; rejects images with NaN/Inf values or
    values outside about [0, 1], naming the sample (:func:`check_unit_range`);
    records an image whose mask has no hole as :data:`EXCLUDED_ROW` (unscored)
    unless ``include_empty_masks``; and stores one row ``{'bucket', 'empty',
    **score(pred, gt)}`` per scored image. :meth:`compute_metrics` returns the
    means under ``<name>`` and ``<name>_<bucket>``, followed by the image counts
    when ``report_counts`` is true.

    Attributes:
        names (tuple[str, ...]): metric names in the order they are reported.
        include_empty_masks (bool): score images whose mask has no hole.
        report_counts (bool): add ``images``, ``images_<bucket>`` and
            ``excluded_empty_mask`` to the results.
    """

    default_prefix = 'inpaint'
    names: tuple[str, ...] = ()
    include_empty_masks: bool = False
    report_counts: bool = True

    def score(self, pred: torch.Tensor, gt: torch.Tensor) -> dict[str, Any]:
        """Per-image values of one composite (stored in its row).

        Args:
            pred (Tensor): (3, H, W) float composite in [0, 1].
            gt (Tensor): (3, H, W) float ground truth in [0, 1], on
                ``pred``'s device.

        Returns:
            dict[str, Any]: for the default :meth:`compute_metrics`, one float
            per name in :attr:`names`.
        """
        raise NotImplementedError

    def process(self, data_batch: object, data_samples: Sequence[dict]) -> None:
        """Score each sample and store its scalars with its bucket.

        Args:
            data_batch (object): unused.
            data_samples (Sequence[dict]): samples as dicts (``.to_dict()``).

        Raises:
            ValueError: ``pred_img`` or ``gt_img`` of a sample holds NaN/Inf or
                lies outside about [0, 1]; the message names the sample.
        """
        for sample in data_samples:
            pred = get_tensor(sample, 'pred_img')
            gt = get_tensor(sample, 'gt_img').to(pred.device)
            mask = get_tensor(sample, 'mask')
            name = f'{type(self).__name__}: {sample_name(sample)}'
            check_unit_range(pred, 'pred_img', name)
            check_unit_range(gt, 'gt_img', name)
            empty = not has_hole(mask)
            if empty and not self.include_empty_masks:
                self.results.append(dict(EXCLUDED_ROW))
                continue
            row: dict = dict(bucket=sample_bucket(sample, mask), empty=empty)
            row.update(self.score(pred, gt))
            self.results.append(row)

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Mean of the per-image values, overall and per bucket, and counts.

        Args:
            results (list): the stored per-sample dicts.

        Returns:
            dict[str, float]: flat keys, e.g. ``{'PSNR': .., 'PSNR_20-40%': ..,
            'images': 2000, 'images_20-40%': 667, 'excluded_empty_mask': 0}``.
        """
        scored, n_excluded = split_excluded(results)
        log_empty_masks(type(self).__name__, scored, n_excluded)
        out = bucketed_means(scored, self.names)
        if self.report_counts:
            out.update(image_counts(scored, n_excluded))
        return out
