"""LPIPS (v0.1 linear heads, VGG trunk) on the composite, overall and per bucket."""

import torch
from torch import nn

from inpaintzoo.evaluation.feature_extractors import build_lpips, lpips_distance
from inpaintzoo.registry import METRICS

from .bucketed_metric import BucketedImageMetric


@METRICS.register_module()
class LPIPSMetric(BucketedImageMetric):
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

    names = ('LPIPS',)

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

    def score(self, pred: torch.Tensor, gt: torch.Tensor) -> dict[str, float]:
        """LPIPS of one composite; builds the network on first use.

        Args:
            pred (Tensor): (3, H, W) float composite in [0, 1].
            gt (Tensor): (3, H, W) float ground truth in [0, 1], same device.

        Returns:
            dict[str, float]: ``{'LPIPS': value}``.
        """
        model = self._get_model(pred.device)
        return dict(LPIPS=lpips_distance(model, pred, gt))
