"""LPIPS (v0.1 linear heads, VGG trunk) on the composite, overall and per bucket."""

from collections.abc import Sequence

from mmengine.evaluator import BaseMetric
from torch import nn

from inpaintzoo.evaluation.feature_extractors import build_lpips, lpips_distance
from inpaintzoo.registry import METRICS

from .sample_utils import bucketed_means, check_unit_range, get_tensor, sample_bucket


@METRICS.register_module()
class LPIPSMetric(BaseMetric):
    """Mean per-image LPIPS of ``pred_img`` (composite) vs ``gt_img``.

    Follows the official protocol: ``lpips.LPIPS(net='vgg')`` (package
    ``lpips`` 0.1.4, v0.1 linear heads), both unquantised [0, 1] images mapped
    to [-1, 1], one image at a time. The network is built on the first
    :meth:`process` call (never in ``__init__``), on the data's device, and is
    not part of any ``state_dict``. Keys: ``LPIPS`` and ``LPIPS_<bucket>``.

    Args:
        net (str): LPIPS trunk. Defaults to ``'vgg'``.
        pnet_rand (bool): random trunk, for offline tests. Defaults to False.
        backbone_weights (str, optional): local torchvision trunk weights file
            (e.g. ``vgg16-397923af.pth``). Defaults to the torch hub cache; a
            clear error is raised when neither exists (no download).
        lin_weights (str, optional): linear-head weights; defaults to those
            shipped with the lpips package.
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
        collect_device: str = 'cpu',
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.net = net
        self.pnet_rand = pnet_rand
        self.backbone_weights = backbone_weights
        self.lin_weights = lin_weights
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
            check_unit_range(pred, 'pred_img')
            check_unit_range(gt, 'gt_img')
            model = self._get_model(pred.device)
            self.results.append(
                dict(
                    bucket=sample_bucket(sample), LPIPS=lpips_distance(model, pred, gt)
                )
            )

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Mean LPIPS overall and per bucket (flat keys)."""
        return bucketed_means(results, ('LPIPS',))
