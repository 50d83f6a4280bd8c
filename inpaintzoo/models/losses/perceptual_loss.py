"""Perceptual and style losses on a frozen VGG (reference-models.md §1.8)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from inpaintzoo.models.losses.feature_extractors import (
    VGGFeatureExtractor,
    resolve_layers,
    shared_lazy_frozen,
)
from inpaintzoo.models.losses.pixel_losses import check_inputs
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.dtypes import at_least_float32
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError


def default_feature_net() -> dict:
    """The official frozen net: torchvision VGG-19, ImageNet weights, raw [0, 1] input.

    Returns:
        dict: config shared by :class:`PerceptualLoss` and :class:`StyleLoss`, so by
        default both run the same (single) cached network.
    """
    return dict(
        type='VGGFeatureExtractor',
        arch='vgg19',
        layer_indices=None,
        weights='torchvision',
        normalize_input=False,
    )


def resolve_feature_net(feature_net: dict | None) -> dict:
    """The frozen net's config: the default, overridden or replaced by ``feature_net``.

    Args:
        feature_net (dict | None): ``None`` = :func:`default_feature_net`; a dict
            with ``type`` = a whole config; a dict without ``type`` = keys that
            override the default, e.g. ``dict(weights=None)`` (train offline without
            pretrained loss weights; what ``--cfg-options
            model.losses.perceptual.feature_net.weights=None`` produces).

    Returns:
        dict: a config with ``type``.
    """
    if feature_net is None:
        return default_feature_net()
    if not isinstance(feature_net, dict):
        raise ConfigError(
            'feature_net must be a config dict (with or without type) or None, got '
            f'{feature_net!r}'
        )
    cfg = dict(feature_net)
    if 'type' in cfg:
        return cfg
    base = default_feature_net()
    unknown = sorted(set(cfg) - set(base))
    if unknown:
        raise ConfigError(
            f'feature_net without a type overrides the default {base}; unknown keys '
            f'{unknown}. Give a whole config with type to use another network.'
        )
    base.update(cfg)
    return base


def check_layers_fit(cfg: dict, layers: Sequence[int | str]) -> None:
    """Refuse, at build time, loss layers the configured VGG cannot return.

    The network itself is built lazily (first forward), so without this check a
    misspelt name or a layer deeper than an explicit ``layer_indices`` would
    fail only in the first training iteration. Other network types are not
    checked.

    Args:
        cfg (dict): the frozen net's config (:func:`resolve_feature_net`).
        layers (Sequence[int | str]): the loss's feature indices or names.

    Raises:
        ConfigError: an unknown layer name or index for ``cfg['arch']``, or a
            layer deeper than the explicit ``layer_indices`` build depth.
    """
    kind = cfg.get('type')
    name = kind.rsplit('.', 1)[-1] if isinstance(kind, str) else None
    if kind is not VGGFeatureExtractor and name != 'VGGFeatureExtractor':
        return
    arch = cfg.get('arch', 'vgg19')
    wanted = resolve_layers(arch, layers)
    built = cfg.get('layer_indices')
    if built is None:
        return  # the whole features stack is built
    depth = max(resolve_layers(arch, built))
    if max(wanted) > depth:
        raise ConfigError(
            f'loss layers {list(layers)} need {arch} layer {max(wanted)}, but '
            f'feature_net.layer_indices={list(built)} builds the network only up to '
            f'layer {depth}; add the layer to layer_indices or set it to None'
        )


def gram_matrix(feat: Tensor) -> Tensor:
    """Per-sample Gram matrix ``F @ F^T / (C * H * W)``, in at least float32.

    Half-precision (AMP) features are promoted to float32; float32 and float64
    keep their precision (float64 training reproduces the official float64 step).

    Args:
        feat (Tensor): (N, C, H, W) features.

    Returns:
        Tensor: (N, C, C) Gram matrices, float32 for half inputs, else feat's dtype.
    """
    n, c, h, w = feat.shape
    f = at_least_float32(feat.reshape(n, c, h * w))
    with torch.autocast(device_type=feat.device.type, enabled=False):
        return torch.bmm(f, f.transpose(1, 2)) / (c * h * w)


class _FeatureLoss(nn.Module):
    """Shared plumbing: layer list, per-layer weights, lazily built frozen net."""

    def __init__(
        self,
        layers: Sequence[int | str],
        layer_weights: Sequence[float] | None,
        loss_weight: float,
        feature_net: dict | None,
        share_feature_net: bool,
    ) -> None:
        super().__init__()
        self.layers = tuple(layers)
        if not self.layers:
            raise ConfigError('layers must not be empty')
        weights = [1.0] * len(self.layers) if layer_weights is None else layer_weights
        if len(weights) != len(self.layers):
            raise ConfigError(
                f'layer_weights has {len(weights)} entries but layers has '
                f'{len(self.layers)}'
            )
        self.layer_weights = tuple(float(v) for v in weights)
        self.loss_weight = float(loss_weight)
        cfg = resolve_feature_net(feature_net)
        check_layers_fit(cfg, self.layers)
        # A plain attribute (not a submodule): stays out of state_dict/parameters/DDP.
        self.feature_net = shared_lazy_frozen(cfg, share=share_feature_net)

    def _features(self, pred: Tensor, gt: Tensor) -> tuple[list, list]:
        feats_pred = self.feature_net(pred, self.layers)
        with torch.no_grad():
            feats_gt = self.feature_net(gt.detach(), self.layers)
        return feats_pred, feats_gt


@MODELS.register_module()
class PerceptualLoss(_FeatureLoss):
    """``sum_i w_i * mean|phi_i(pred) - phi_i(gt)|``, times ``loss_weight``.

    Official defaults: VGG-19 relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (feature
    indices 1, 6, 11, 20, 29), weight 1 each, raw output vs GT over the whole image,
    no ImageNet normalisation. GT features are computed without gradients.

    Args:
        layers (Sequence[int | str]): feature indices or names (``'relu3_1'``).
            Defaults to ``(1, 6, 11, 20, 29)``.
        layer_weights (Sequence[float] | None): one per layer; ``None`` = all 1.
            Defaults to None.
        loss_weight (float): multiplier. Defaults to 1.0.
        feature_net (dict | None): config of the frozen network, called as
            ``net(x, layers) -> list[Tensor]``. ``None`` = :func:`default_feature_net`;
            a dict without ``type`` overrides its keys (:func:`resolve_feature_net`):
            ``dict(weights=None)`` trains without pretrained weights (offline),
            ``dict(arch='vgg16')`` with ``layers=['pool1', ..., 'pool5']`` is
            the thesis's VGG-16 (Eqs. 4.10-4.11; the ``*-thesis`` configs). The
            thesis does not say whether inputs are ImageNet-normalised; the
            code does not normalise, and ``normalize_input=True`` is an
            option. Defaults to None.
        share_feature_net (bool): share one network with other losses of the same
            ``feature_net`` config in this process. Defaults to True.
    """

    def __init__(
        self,
        layers: Sequence[int | str] = (1, 6, 11, 20, 29),
        layer_weights: Sequence[float] | None = None,
        loss_weight: float = 1.0,
        feature_net: dict | None = None,
        share_feature_net: bool = True,
    ) -> None:
        super().__init__(
            layers, layer_weights, loss_weight, feature_net, share_feature_net
        )

    def forward(self, pred: Tensor, gt: Tensor, mask: Tensor | None = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): (N, 3, H, W) raw generator output in [0, 1].
            gt (Tensor): (N, 3, H, W) ground truth in [0, 1].
            mask (Tensor | None): (N, 1, H, W), 1 = hole; unused (whole image).

        Returns:
            Tensor: scalar, already multiplied by ``loss_weight``.
        """
        check_inputs(pred, gt, mask)
        feats_pred, feats_gt = self._features(pred, gt)
        loss = sum(
            w * (fp - fg).abs().mean()
            for w, fp, fg in zip(self.layer_weights, feats_pred, feats_gt)
        )
        return loss * self.loss_weight


@MODELS.register_module()
class StyleLoss(_FeatureLoss):
    """``sum_i w_i * mean|G(phi_i(pred*M)) - G(phi_i(gt*M))|``, times ``loss_weight``.

    ``G`` is :func:`gram_matrix` (``F F^T / (C*H*W)`` per sample, at least
    float32). Official defaults: inputs masked to the hole (``hole_only=True``:
    known pixels zeroed in both), VGG-19 relu2_2, relu3_4, relu4_4, relu5_2
    (indices 8, 17, 26, 31), weight 1 each. GT features are computed without gradients.

    Args:
        layers (Sequence[int | str]): feature indices or names.
            Defaults to ``(8, 17, 26, 31)``.
        layer_weights (Sequence[float] | None): one per layer; ``None`` = all 1.
            Defaults to None.
        loss_weight (float): multiplier. Defaults to 1.0.
        hole_only (bool): multiply both images by the mask first. Defaults to True.
        feature_net (dict | None): as in :class:`PerceptualLoss`. Defaults to None.
        share_feature_net (bool): as in :class:`PerceptualLoss`. Defaults to True.
        full_precision (bool): compute the features with autocast off and half
            inputs cast to float32, as the official MxT / SEM-Net AMP loop keeps
            its style loss outside autocast (Gram matrices of fp16 features lose
            precision where the weight is 250). False runs the features in the
            caller's autocast. Without autocast and for float32 / float64 inputs
            both are the same. Defaults to True.
    """

    def __init__(
        self,
        layers: Sequence[int | str] = (8, 17, 26, 31),
        layer_weights: Sequence[float] | None = None,
        loss_weight: float = 1.0,
        hole_only: bool = True,
        feature_net: dict | None = None,
        share_feature_net: bool = True,
        full_precision: bool = True,
    ) -> None:
        super().__init__(
            layers, layer_weights, loss_weight, feature_net, share_feature_net
        )
        self.hole_only = hole_only
        self.full_precision = bool(full_precision)

    def forward(self, pred: Tensor, gt: Tensor, mask: Tensor | None = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): (N, 3, H, W) raw generator output in [0, 1].
            gt (Tensor): (N, 3, H, W) ground truth in [0, 1].
            mask (Tensor | None): (N, 1, H, W), 1 = hole. Required if ``hole_only``.

        Returns:
            Tensor: scalar, already multiplied by ``loss_weight``.
        """
        check_inputs(pred, gt, mask)
        if self.hole_only:
            if mask is None:
                raise InvalidMaskError('StyleLoss(hole_only=True) needs the mask')
            pred, gt = pred * mask, gt * mask
        if self.full_precision:
            # the frozen net computes half inputs in float32 (LazyFrozen)
            with torch.autocast(device_type=pred.device.type, enabled=False):
                feats_pred, feats_gt = self._features(pred, gt)
        else:
            feats_pred, feats_gt = self._features(pred, gt)
        loss = sum(
            w * (gram_matrix(fp) - gram_matrix(fg)).abs().mean()
            for w, fp, fg in zip(self.layer_weights, feats_pred, feats_gt)
        )
        return loss * self.loss_weight
