"""Build ``lpips.LPIPS`` offline: linear heads from the wheel, trunk from a file."""

import warnings

import torch
from torch import nn

from .weights import find_weights, load_state_dict_file, missing_weights_message

LPIPS_NETS = ('vgg', 'alex', 'squeeze')


def _import_lpips():
    try:
        import lpips
    except ImportError as err:  # pragma: no cover - lpips is a hard dependency
        raise ImportError(
            'LPIPS needs the lpips package: pip install inpaintzoo[metrics]'
        ) from err
    return lpips


def load_trunk_weights(model: nn.Module, state: dict) -> None:
    """Copy a torchvision ``features.N.*`` state dict into an LPIPS trunk.

    LPIPS splits torchvision's ``features`` into ``slice1..sliceK`` keeping the
    layer indices, so ``sliceK.N.weight`` is ``features.N.weight``.

    Args:
        model (nn.Module): an ``lpips.LPIPS`` instance.
        state (dict): torchvision state dict (``features.*`` keys; classifier
            keys are ignored).
    """
    target = model.net.state_dict()
    mapped = {}
    missing = []
    for key in target:
        src = 'features.' + key.split('.', 1)[1]
        if src not in state:
            missing.append(src)
        else:
            mapped[key] = state[src]
    if missing:
        raise KeyError(
            f'backbone weights lack {len(missing)} keys needed by LPIPS, e.g. '
            f'{missing[:3]}; expected a torchvision state dict'
        )
    model.net.load_state_dict(mapped, strict=True)


def build_lpips(
    net: str = 'vgg',
    pnet_rand: bool = False,
    backbone_weights: str | None = None,
    lin_weights: str | None = None,
) -> nn.Module:
    """Build an eval-mode, frozen ``lpips.LPIPS`` (v0.1) without network access.

    Args:
        net (str): trunk, one of ``'vgg'``, ``'alex'``, ``'squeeze'``.
            Defaults to ``'vgg'`` (the official protocol).
        pnet_rand (bool): random trunk (tests only). Defaults to False.
        backbone_weights (str, optional): local torchvision trunk weights
            (e.g. ``vgg16-397923af.pth``); defaults to the torch hub cache.
        lin_weights (str, optional): linear-head weights; defaults to the v0.1
            heads shipped in the lpips wheel.

    Returns:
        nn.Module: the LPIPS model; call it with images in [-1, 1].
    """
    if net not in LPIPS_NETS:
        raise ValueError(f'LPIPS net must be one of {LPIPS_NETS}, got {net!r}')
    trunk_file = None
    if not pnet_rand:
        trunk_file = find_weights(net, backbone_weights)
        if trunk_file is None:
            raise FileNotFoundError(
                missing_weights_message(
                    f'LPIPS {net} backbone', net, 'backbone_weights=/--lpips-weights'
                )
            )
    lpips = _import_lpips()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = lpips.LPIPS(
            net=net,
            version='0.1',
            pnet_rand=True,
            model_path=lin_weights,
            verbose=False,
        )
    if trunk_file is not None:
        load_trunk_weights(model, load_state_dict_file(trunk_file))
    return model.eval().requires_grad_(False)


@torch.no_grad()
def lpips_distance(model: nn.Module, pred: torch.Tensor, gt: torch.Tensor) -> float:
    """LPIPS of one image pair given in [0, 1] (mapped to [-1, 1] here).

    Args:
        model (nn.Module): from :func:`build_lpips`.
        pred (Tensor): (3, H, W) float in [0, 1].
        gt (Tensor): (3, H, W) float in [0, 1].

    Returns:
        float: the distance.
    """
    return float(model(pred[None] * 2 - 1, gt[None] * 2 - 1).item())
