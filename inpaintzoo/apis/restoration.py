"""Use a restorer (deblurring): :func:`restore` runs one on pictures of any size.

Example::

    from inpaintzoo.apis import init_model, restore

    model = init_model('configs/sem_net_deblur/sem-deblur_1xb4-300k_gopro-256x256.py',
                       'sem_deblur_gopro.pth')
    sharp = restore(model, 'blurred.png')                       # (H, W, 3) uint8
    sharp = restore(model, 'big.png', strategy='sliding', tile=512, overlap=64)

There is no mask: the whole picture is restored. ``'whole'`` runs the picture at
its native size (the restorer pads to its stride and crops back); ``'sliding'``
runs overlapping ``tile x tile`` windows and blends them with the feathered
weights of :func:`inpaintzoo.apis.highres_tiles.tile_grid` (no seams), for pictures
whose activations do not fit in memory at once.
"""

from typing import Any

import numpy as np
import torch
from torch import Tensor

from inpaintzoo.apis.highres import auto_strategy, check_tile_overlap
from inpaintzoo.apis.highres_tiles import blend_tiles
from inpaintzoo.apis.inputs import split_batch, to_rgb_uint8
from inpaintzoo.utils.errors import ConfigError, InvalidImageError

RESTORE_STRATEGIES = ('auto', 'whole', 'sliding')
SLIDING_DEFAULTS = {'tile': 512, 'overlap': 64}


def check_restorer(model: Any) -> None:
    """Refuse a model that is not a restorer (e.g. an inpaintor), naming the fix.

    Raises:
        ConfigError: ``model`` has no ``restore_tensor`` method.
    """
    if not callable(getattr(model, 'restore_tensor', None)):
        raise not_a_restorer(type(model).__name__)


def not_a_restorer(what: str) -> ConfigError:
    """The error for a model (class) ``what`` that is not a restorer."""
    return ConfigError(
        f"{what} is not a restorer (model.type must be 'Restorer', e.g. "
        'configs/sem_net_deblur/*); inpainting models need a mask: use '
        'inpaintzoo.apis.inpaint / `inpaintzoo inpaint --mask`'
    )


def check_restorer_config(model: str) -> None:
    """Refuse a config whose ``model.type`` is not a restorer, before any build.

    Checked on the registered class (no model is built and no weights are
    fetched), so ``inpaintzoo restore --config <inpainting zoo name>`` is
    refused before a download. An unknown type is left to the model build.

    Args:
        model (str): a config path or zoo name (the ``--config`` value).

    Raises:
        ConfigError: the model type has no ``restore_tensor`` method, or
            ``model`` is neither a config nor a zoo name.
    """
    from inpaintzoo.apis.inference import resolve_model_config
    from inpaintzoo.registry import MODELS

    cfg, _ = resolve_model_config(model)
    mtype = (cfg.get('model') or {}).get('type')
    cls = MODELS.get(mtype) if isinstance(mtype, str) else mtype
    if cls is None or callable(getattr(cls, 'restore_tensor', None)):
        return
    raise not_a_restorer(f'{model}: {getattr(cls, "__name__", mtype)}')


def sliding_options(options: dict) -> tuple[int, int]:
    """``(tile, overlap)`` from ``options`` (defaults 512, 64), checked.

    Raises:
        ConfigError: an unknown option, or not ``tile >= 1`` and
            ``0 <= overlap <= tile / 2``.
    """
    unknown = sorted(set(options) - set(SLIDING_DEFAULTS))
    if unknown:
        raise ConfigError(
            f"restore strategy 'sliding' got unknown option(s) {unknown}; it "
            'accepts: tile, overlap'
        )
    opts = {**SLIDING_DEFAULTS, **options}
    defaulted = tuple(k for k in SLIDING_DEFAULTS if k not in options)
    return check_tile_overlap(opts['tile'], opts['overlap'], defaulted)


def restore_sliding(forward: Any, image: Tensor, tile: int, overlap: int) -> Tensor:
    """Restore overlapping tiles and blend them with feathered weights.

    Args:
        forward (Callable): ``(1, 3, h, w) -> (1, 3, h, w)`` for any h, w.
        image (Tensor): (1, 3, H, W) float in [0, 1].
        tile (int): tile side (clipped to H, W).
        overlap (int): least overlap of neighbouring tiles.

    Returns:
        Tensor: (1, 3, H, W), every pixel covered by at least one tile.
    """
    acc, wsum = blend_tiles(
        image, tile, overlap, lambda b: forward(image[..., b[0] : b[1], b[2] : b[3]])
    )
    return acc / wsum


def _restore_one(
    model: Any, img: np.ndarray, strategy: str, options: dict
) -> np.ndarray:
    """Restore one (H, W, 3) uint8 picture; returns (H, W, 3) uint8 (rounded)."""
    data = model.data_preprocessor(
        {'inputs': {'img': [torch.from_numpy(img.transpose(2, 0, 1).copy())]}}
    )
    x = data['inputs']['img']  # (1, 3, H, W) float in [0, 1] on the model's device
    if strategy == 'auto':  # whole up to 1 megapixel, tiles above (memory)
        strategy = auto_strategy(*img.shape[:2], large='sliding')
    with torch.no_grad():
        if strategy == 'whole':
            out = model.restore_tensor(x)
        else:
            out = restore_sliding(model.restore_tensor, x, *sliding_options(options))
    out = out[0].clamp(0, 1).mul(255).round().byte()
    return out.permute(1, 2, 0).cpu().numpy()


def restore(
    model: Any,
    image: Any,
    *,
    strategy: str = 'auto',
    orientation: str = 'exif',
    **strategy_options: Any,
) -> np.ndarray | list[np.ndarray]:
    """Restore (deblur) one picture or a list/batch of pictures of any size.

    Args:
        model: a restorer from :func:`inpaintzoo.apis.init_model` (a config whose
            ``model.type`` is ``'Restorer'``).
        image: a file path, (H, W, 3) uint8 RGB array, PIL image, (3, H, W)
            tensor (uint8, or float in [0, 1]); or a list of them, or an
            (N, 3, H, W) tensor. Sizes may differ between pictures.
        strategy: ``'auto'`` (default: ``'whole'`` up to 1 megapixel,
            ``'sliding'`` above), ``'whole'`` or ``'sliding'``.
        orientation: ``'exif'`` (default: files and PIL images turned by their
            EXIF orientation tag) or ``'stored'``; see :mod:`inpaintzoo.apis.inputs`.
        **strategy_options: ``'sliding'``: ``tile`` (512), ``overlap`` (64).

    Returns:
        (H, W, 3) uint8 RGB, or a list of those for a list/batch input.

    Raises:
        ConfigError: not a restorer, an unknown strategy or option.
        ImageReadError: an unreadable file.
        InvalidImageError: an input that is not an image, has no pixel, or an
            empty list.
    """
    check_restorer(model)
    if strategy not in RESTORE_STRATEGIES:
        raise ConfigError(
            f'restore strategy must be one of {RESTORE_STRATEGIES}, got {strategy!r}'
        )
    if strategy != 'sliding' and strategy_options:
        raise ConfigError(
            f"options {sorted(strategy_options)} apply to strategy='sliding'; "
            f"strategy='{strategy}' takes none"
        )
    batched = isinstance(image, list | tuple) or (
        (torch.is_tensor(image) or isinstance(image, np.ndarray)) and image.ndim == 4
    )
    items = split_batch(image) if batched else [image]
    if not items:
        raise InvalidImageError('no image given: pass at least one image')
    outs = [
        _restore_one(model, to_rgb_uint8(item, orientation), strategy, strategy_options)
        for item in items
    ]
    return outs if batched else outs[0]
