"""FID of composites vs ground truth, overall and per bucket."""

import logging

import numpy as np
import torch
from mmengine.logging import print_log
from torch import nn

from inpaintzoo.evaluation.functional import feature_statistics, frechet_distance
from inpaintzoo.registry import METRICS, MODELS

from .bucketed_metric import BucketedImageMetric
from .sample_utils import (
    group_by_bucket,
    image_counts,
    log_empty_masks,
    metric_key,
    split_excluded,
)


def warn_if_rank_deficient(group: str, n_images: int, dim: int) -> None:
    """Log a warning when a group has fewer images than feature dimensions.

    With N <= D the (D, D) covariances have rank < D, so the Fréchet
    distance is heavily biased (2048-d Inception features need thousands of
    images) and not comparable with published values.

    Args:
        group (str): ``'overall'`` or a bucket label, for the message.
        n_images (int): N, the images in the group.
        dim (int): D, the feature dimension.
    """
    if n_images <= dim:
        print_log(
            f'FIDMetric: FID of group {group!r} uses {n_images} images but '
            f'{dim}-d features (N <= D): the covariance estimates are '
            'rank-deficient and the value is strongly biased; do not compare it '
            'with published FIDs (use thousands of images per group)',
            logger='current',
            level=logging.WARNING,
        )


@METRICS.register_module()
class FIDMetric(BucketedImageMetric):
    """Fréchet Inception Distance between the composites and the GT images.

    ``process`` extracts features of ``pred_img`` and ``gt_img`` (stored as
    CPU numpy arrays, never images); ``compute_metrics`` returns ``FID``
    (all images) and ``FID_<bucket>`` for each bucket with at least 2 images;
    a group with no more images than feature dimensions (N <= D, e.g. at most
    2048 for Inception) gets one logged warning that its value is biased.
    The extractor is built on the first :meth:`process` call.

    Images whose mask has no hole (composite == GT, no bucket) are left out by
    default, as in :class:`InpaintingMetric`: exact GT copies among the
    composites would pull the distance down. They are named in one logged
    warning.

    Assumption (see ``docs/evaluation.md``): standard pytorch-fid Inception-v3
    pool3 features (``pt_inception-2015-12-05``), inputs resized to 299×299.

    Args:
        inception_weights (str, optional): passed to
            :class:`InceptionPool3`: ``'pt_inception-2015-12-05'`` (hub cache),
            ``'torchvision'`` or a local file. Defaults to
            ``'pt_inception-2015-12-05'``.
        feature_extractor (dict, optional): config of a replacement extractor
            built from ``MODELS`` (``type`` may be a class); it must map
            (N, 3, H, W) in [0, 1] to (N, D). Overrides ``inception_weights``.
        include_empty_masks (bool): keep images whose mask has no hole in the
            overall statistics. Defaults to False.
        report_counts (bool): also return ``images``, ``images_<bucket>`` and
            ``excluded_empty_mask`` (off by default: :class:`InpaintingMetric`
            returns the same keys and MMEngine refuses duplicates). Defaults to
            False.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): key prefix; defaults to ``'inpaint'``.
    """

    names = ('FID',)

    def __init__(
        self,
        inception_weights: str | None = 'pt_inception-2015-12-05',
        feature_extractor: dict | None = None,
        include_empty_masks: bool = False,
        report_counts: bool = False,
        collect_device: str = 'cpu',
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.inception_weights = inception_weights
        self.feature_extractor_cfg = (
            dict(feature_extractor) if feature_extractor is not None else None
        )
        self.include_empty_masks = include_empty_masks
        self.report_counts = report_counts
        self._extractor: nn.Module | None = None

    def _get_extractor(self, device: torch.device) -> nn.Module:
        if self._extractor is None:
            if self.feature_extractor_cfg is not None:
                net = MODELS.build(dict(self.feature_extractor_cfg))
            else:
                # lazy: torchvision's import loads torch._dynamo
                from inpaintzoo.evaluation.feature_extractors.inception import (
                    InceptionPool3,
                )

                net = InceptionPool3(weights=self.inception_weights)
            self._extractor = net.eval().requires_grad_(False)
        return self._extractor.to(device)

    @torch.no_grad()
    def _features(self, img: torch.Tensor) -> np.ndarray:
        feats = self._get_extractor(img.device)(img[None])
        return feats.reshape(-1).double().cpu().numpy()

    def score(self, pred: torch.Tensor, gt: torch.Tensor) -> dict[str, np.ndarray]:
        """Features of one composite and its GT (FID needs the whole set).

        Args:
            pred (Tensor): (3, H, W) float composite in [0, 1].
            gt (Tensor): (3, H, W) float ground truth in [0, 1], same device.

        Returns:
            dict[str, ndarray]: ``pred_feat`` and ``gt_feat``, (D,) float64.
        """
        return dict(pred_feat=self._features(pred), gt_feat=self._features(gt))

    def compute_metrics(self, results: list) -> dict[str, float]:
        """FID overall and per bucket with >= 2 images (flat keys)."""
        scored, n_excluded = split_excluded(results)
        log_empty_masks(type(self).__name__, scored, n_excluded)
        out: dict[str, float] = {}
        for group, rows in group_by_bucket(scored).items():
            if len(rows) < 2:
                print_log(
                    f'FID of group {group!r} skipped: it needs >= 2 images, '
                    f'got {len(rows)}',
                    logger='current',
                )
                continue
            pred_feats = np.stack([r['pred_feat'] for r in rows])
            warn_if_rank_deficient(group, *pred_feats.shape)
            mu1, s1 = feature_statistics(pred_feats)
            mu2, s2 = feature_statistics(np.stack([r['gt_feat'] for r in rows]))
            out[metric_key('FID', group)] = frechet_distance(mu1, s1, mu2, s2)
        if self.report_counts:
            out.update(image_counts(scored, n_excluded))
        return out
