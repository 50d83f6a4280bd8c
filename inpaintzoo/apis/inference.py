"""Use a model: :func:`init_model` builds and loads one, :func:`inpaint` runs it.

Example::

    from inpaintzoo.apis import init_model, inpaint

    model = init_model('hint_celeba-hq')            # zoo name: weights downloaded
    out = inpaint(model, 'photo.jpg', 'mask.png')   # (H, W, 3) uint8 RGB

Images of any size are run at their native size: the generator pads to its
stride and crops back (``InpaintUNet``). Models fixed to one input size
(NCLG-MT) get the picture resized to it and the output upscaled back; only the
hole changes, and :class:`InpaintResult` says so in ``note`` and carries the
predicted landmarks (:mod:`inpaintzoo.apis.fixed_size`). The mask rule (white =
hole by default, 0/1 and anti-aliased masks) is documented in
:mod:`inpaintzoo.apis.inputs`.
"""

import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import Tensor

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.apis.config_suggestions import (
    config_suggestion,
    similar_configs,
    unlisted_zoo_model,
    unlisted_zoo_suggestion,
)
from inpaintzoo.apis.fixed_size import (
    FixedSizeForward,
    fixed_input_size,
    network_call,
)
from inpaintzoo.apis.grey_fill import grey_fill_if_grey
from inpaintzoo.apis.highres import INPAINT_STRATEGIES, check_strategy
from inpaintzoo.apis.inputs import (
    check_same_size,
    pair_inputs,
    to_model_inputs,
    to_rgb_uint8,
)
from inpaintzoo.apis.mask_inputs import DEFAULT_MASK_THRESHOLD, hole_and_values
from inpaintzoo.apis.mask_warnings import warn_unusual_hole
from inpaintzoo.models.inpaintors.base_inpaintor import BaseInpaintor, composite
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.config_paths import resolve_config
from inpaintzoo.utils.errors import ConfigError, ConfigNotFoundError, InvalidImageError

logger = logging.getLogger(__name__)

#: training size assumed when a config names none (``img_size``)
DEFAULT_TRAIN_SIZE = 256


class RandomWeightsWarning(UserWarning):
    """A model built from a config without weights: its output is noise."""


@dataclass
class InpaintResult:
    """One inpainted image.

    Attributes:
        composite (np.ndarray): (H, W, 3) uint8 RGB: input pixels outside the
            hole, network output inside.
        raw (np.ndarray): (H, W, 3) float32 in [0, 1]: the network output
            everywhere (before compositing).
        landmarks (np.ndarray | None): (68, 2) float32 (x, y) landmarks the
            model predicted, in the input picture's pixel coordinates (NCLG-MT,
            ``strategy='whole'``); None for models that predict none.
        note (str): how the input was adapted to the model, e.g. why it was
            resized for a fixed-size model ('' when it ran as given).
    """

    composite: np.ndarray
    raw: np.ndarray
    landmarks: np.ndarray | None = None
    note: str = ''


def _looks_like_path(name: str) -> bool:
    return name.endswith('.py') or os.sep in name or Path(name).exists()


def resolve_model_config(
    model: str | os.PathLike | Config,
) -> tuple[Config, str | None]:
    """``(config, zoo name or None)`` of a zoo name, config path/name or Config.

    The name of a model without published weights (an ``Alias`` or ``Name`` of a
    metafile that ``model-index.yml`` does not import, e.g. the deblurring
    ``'sem-net-deblur_gopro'``) gives its config and None: nothing to download.

    Raises:
        ConfigError: ``model`` is neither a config nor a zoo model name; a
            config's stem typed without its folder or ``.py`` is named with the
            spelling that works (:mod:`inpaintzoo.apis.config_suggestions`).
    """
    if isinstance(model, Config):
        return model, None
    name = os.fspath(model)
    if _looks_like_path(name):
        try:
            path = resolve_config(name)
        except ConfigNotFoundError as err:
            hint = config_suggestion(name)
            if not hint:
                raise
            raise ConfigNotFoundError(f'{err}{hint}') from err
        return Config.fromfile(str(path)), None
    try:
        from inpaintzoo.hub import get_model_info
    except ImportError as err:  # pragma: no cover - hub not installed
        raise ConfigError(
            f'{name!r} is not a config file, and the model zoo (inpaintzoo.hub) '
            'is not available to look it up; pass a config path'
        ) from err
    try:
        info = get_model_info(name)
    except ConfigError as err:
        unlisted = unlisted_zoo_model(name)  # a zoo name without weights (deblur)
        if unlisted is not None:
            return Config.fromfile(str(unlisted.config_path())), None
        configs = similar_configs(name, exact_only=True)
        if configs:
            shown = ' or '.join(repr(c) for c in configs)
            raise ConfigError(
                f'{name!r} is not a zoo model name but the name of the config '
                f'{shown}: pass that, with its folder and .py (a config is named '
                'by a path ending in .py)'
            ) from err
        raise ConfigError(
            f'{name!r} is neither a config file nor a zoo model name: {err} '
            '(a config is named by a path ending in .py)'
            + unlisted_zoo_suggestion(name)
        ) from err
    return Config.fromfile(str(info.config_path())), info.name


def _device_refusal(option: str, device: str, why: str) -> ConfigError:
    """The one-line error for a bad device, worded for the API or the CLI.

    ``option`` is ``'device'`` (API: ``device='cuda'``) or ``'--device'`` (CLI:
    ``--device cuda``).
    """
    if option.startswith('--'):
        return ConfigError(f'{option} {device}: {why}; use {option} cpu')
    return ConfigError(f"{option}={device!r}: {why}; use {option}='cpu'")


def _cuda_problem(index: int | None) -> str | None:
    """Why ``cuda[:index]`` cannot be used here, or None."""
    if not torch.cuda.is_available():
        return 'no CUDA GPU is available here'
    count = torch.cuda.device_count()
    if index is not None and index >= count:
        return (
            f'there is no GPU {index}: this machine has {count} CUDA GPU(s), '
            f'cuda:0 to cuda:{count - 1}'
        )
    return None


def resolve_device(device: str | torch.device | None, option: str = 'device') -> str:
    """Check a device name before any model work; ``None`` picks CUDA or the CPU.

    Args:
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ``'mps'`` or None.
        option (str): how messages name it: ``'device'`` (API) or
            ``'--device'`` (command line).

    Returns:
        str: the device to use.

    Raises:
        ConfigError: an unknown device name, or a device this machine lacks
            (one line naming it and what to use instead).
    """
    if device is None:
        return 'cuda' if torch.cuda.is_available() else 'cpu'
    text = str(device).strip()
    try:
        parsed = torch.device(text)
    except (RuntimeError, ValueError, TypeError) as err:
        raise _device_refusal(
            option, text, 'unknown device (expected cpu, cuda or cuda:N)'
        ) from err
    problem = None
    if parsed.type == 'cuda':
        problem = _cuda_problem(parsed.index)
    elif parsed.type == 'mps':
        if not torch.backends.mps.is_available():
            problem = 'no Apple MPS device is available here'
    elif parsed.type != 'cpu':
        problem = f'device type {parsed.type!r} is not supported (cpu, cuda, mps)'
    if problem is not None:
        raise _device_refusal(option, text, problem)
    return text


def init_model(
    model: str | os.PathLike | Config,
    checkpoint: str | os.PathLike | None = None,
    device: str | None = None,
) -> BaseInpaintor:
    """Build an inpaintor in eval mode on ``device``, with weights loaded.

    Args:
        model: a zoo name (``'hint_celeba-hq'``; see ``inpaintzoo list``), a
            config path or a name under ``configs/``, or a ``Config``.
        checkpoint: ``.pth`` (path or URL) or ``.safetensors`` file; a
            generator-only file is enough. With a zoo name and no checkpoint the
            zoo weights are downloaded (``inpaintzoo.hub.download``); with a
            config and no checkpoint the weights stay random (with a warning).
        device: ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ... Defaults to CUDA when
            available, else CPU.

    Returns:
        BaseInpaintor: the model; ``model.cfg`` holds its config.

    Raises:
        ConfigError / ConfigNotFoundError: ``model`` names nothing known, or
            ``device`` is unknown or missing here (:func:`resolve_device`).
        CheckpointMismatchError: the checkpoint does not fit the config.
        WeightsUnavailableError: zoo weights could not be downloaded.
    """
    device = resolve_device(device)
    cfg, zoo_name = resolve_model_config(model)
    init_default_scope(cfg.get('default_scope', 'inpaintzoo'))
    net = MODELS.build(cfg.model)
    if checkpoint is None and zoo_name is not None:
        from inpaintzoo.hub import download

        checkpoint = download(zoo_name)
    if checkpoint is not None:
        load_model_checkpoint(net, os.fspath(checkpoint))
    else:
        warnings.warn(
            'init_model: no checkpoint given, the model has random weights',
            RandomWeightsWarning,
            stacklevel=2,
        )
    net.cfg = cfg
    return net.to(device).eval()


def train_size(model: BaseInpaintor) -> int:
    """The training image size of ``model`` (its config's ``img_size``)."""
    cfg = getattr(model, 'cfg', None)
    size = cfg.get('img_size') if cfg is not None else None
    return int(size) if size else DEFAULT_TRAIN_SIZE


def _to_uint8(t: Tensor) -> np.ndarray:
    """(1, 3, H, W) float in [0, 1] -> (H, W, 3) uint8."""
    return (t[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu().numpy()


def run_one(
    model: BaseInpaintor,
    image: np.ndarray,
    mask: np.ndarray,
    strategy: str,
    strategy_options: dict,
    after_forward: Callable[[], None] | None = None,
    match_grey: bool = True,
) -> InpaintResult:
    """Inpaint one (H, W, 3) uint8 image with its (H, W) hole mask.

    ``after_forward`` (optional) is called after each network forward (the web
    app's progress bar). ``match_grey``: a grey picture gets a grey fill
    (:func:`inpaintzoo.apis.grey_fill.grey_fill_if_grey`; ``raw`` stays the network's).
    """
    data = model.data_preprocessor(to_model_inputs([image], [mask]))
    img, hole = data['inputs']['img'], data['inputs']['mask']  # (1,3,H,W), (1,1,H,W)
    # fixed-size models (NCLG-MT) run resized, landmarks split off the output
    run_net = FixedSizeForward(network_call(model), fixed_input_size(model))

    def forward(x: Tensor, m: Tensor) -> Tensor:
        out = run_net(x, m)
        if after_forward is not None:
            after_forward()
        if out.shape[-2:] != x.shape[-2:]:
            raise InvalidImageError(
                f'generator returned {tuple(out.shape)} for input {tuple(x.shape)}; '
                'it does not pad to its stride: use a size that is a multiple of it'
            )
        return out

    with torch.no_grad():
        if strategy == 'whole':
            raw = forward(img, hole)
        else:
            from inpaintzoo.apis.highres import run_strategy

            raw = run_strategy(
                strategy,
                forward,
                img,
                hole,
                train_size=train_size(model),
                **strategy_options,
            )
        comp = composite(raw, img, hole)
    raw_np = raw[0].clamp(0, 1).permute(1, 2, 0).float().cpu().numpy()
    note = run_net.note()
    if note:
        logger.info('inpaint: %s', note)
    result = _to_uint8(comp)
    if match_grey:
        result = grey_fill_if_grey(result, image, mask)
    return InpaintResult(
        composite=result,
        raw=raw_np,
        landmarks=run_net.landmarks_numpy() if strategy == 'whole' else None,
        note=note,
    )


def inpaint(
    model: BaseInpaintor,
    image: Any,
    mask: Any,
    *,
    mask_convention: str = 'hole-white',
    mask_threshold: int = DEFAULT_MASK_THRESHOLD,
    strategy: str = 'auto',
    return_raw: bool = False,
    orientation: str = 'exif',
    match_grey: bool = True,
    **strategy_options,
) -> np.ndarray | InpaintResult | list:
    """Inpaint one image or a list/batch of images of any size.

    Args:
        model: from :func:`init_model`.
        image: a file path, (H, W, 3) uint8 RGB array, PIL image, (3, H, W)
            tensor (uint8, or float in [0, 1]); or a list of them, or an
            (N, 3, H, W) tensor. Sizes may differ between images.
        mask: same kinds, one per image or one for all: (H, W), (H, W, 1|3|4)
            or (1, H, W) arrays, (H, W), (C, H, W) or (1, C, H, W) tensors;
            RGB is collapsed by maximum, a hole drawn in the alpha channel is
            read from it; see :mod:`inpaintzoo.apis.inputs` for the rule.
        mask_convention: ``'hole-white'`` (default: white = hole) or
            ``'known-white'`` (white = known, black = hole).
        mask_threshold: grey values above it (``'hole-white'``) or below
            ``255 - it`` (``'known-white'``) are holes. Defaults to 127.
        strategy: ``'auto'`` (default: ``'whole'`` up to 1 megapixel,
            ``'crop'`` above, per image; see
            :func:`inpaintzoo.apis.highres.auto_strategy`), ``'whole'`` (the image
            at its native size, however large) or a high-resolution strategy of
            :mod:`inpaintzoo.apis.highres` (``'sliding'``, ``'crop'``,
            ``'resize'``).
        return_raw: also return the raw network output.
        orientation: ``'exif'`` (default: image and mask files and PIL images
            are turned by their EXIF orientation tag, as viewers show them) or
            ``'stored'`` (pixels as stored); see :mod:`inpaintzoo.apis.inputs`.
        match_grey: a grey picture (every known pixel with R, G, B within 2
            levels: grey files, black-and-white scans) gets a grey fill, the
            luma of the network's colours, which may be tinted (default True).
            ``raw`` stays the network output.
        **strategy_options: passed to the strategy (``tile``, ``overlap``, ...).

    Returns:
        (H, W, 3) uint8 RGB composite (input outside the hole), an
        :class:`InpaintResult` with ``return_raw=True``, or a list of those for a
        list/batch input.

    Warns:
        NoHoleWarning: a mask without a hole pixel (that image is returned
            unchanged); AllHoleWarning: a mask that is hole everywhere. Both
            are :class:`inpaintzoo.apis.mask_warnings.MaskWarning`.

    Raises:
        ImageReadError: an unreadable image or mask file.
        InvalidImageError: an input that is not an image, or has no pixel.
        InvalidMaskError: a bad mask, an unknown convention, or a mask whose size
            differs from its image's (both sizes named).
    """
    if callable(getattr(model, 'restore_tensor', None)):
        raise ConfigError(
            f'{type(model).__name__} is a restorer (no mask): use '
            'inpaintzoo.apis.restore(model, image) or `inpaintzoo restore`'
        )
    check_strategy(strategy, INPAINT_STRATEGIES)
    if strategy_options and strategy in ('whole', 'auto'):
        raise ConfigError(
            f'options {sorted(strategy_options)} apply to a high-resolution strategy; '
            f"strategy='{strategy}' takes none (name the strategy they are for)"
        )
    images, masks, batched = pair_inputs(image, mask)
    results = []
    for img_src, mask_src in zip(images, masks, strict=True):
        img = to_rgb_uint8(img_src, orientation)
        hole, values = hole_and_values(
            mask_src, mask_convention, mask_threshold, orientation
        )
        check_same_size(img, hole, img_src, mask_src, orientation)
        warn_unusual_hole(
            hole, values, img_src, mask_src, mask_convention, mask_threshold
        )
        chosen = strategy
        if strategy == 'auto':
            from inpaintzoo.apis.highres import AUTO_WHOLE_MAX_PIXELS, auto_strategy

            chosen = auto_strategy(*img.shape[:2])
            if chosen != 'whole':
                logger.info(
                    "inpaint: strategy 'auto' runs '%s' for a %dx%d picture (above "
                    "%d pixels); strategy='whole' runs it at once",
                    chosen,
                    img.shape[1],
                    img.shape[0],
                    AUTO_WHOLE_MAX_PIXELS,
                )
        res = run_one(model, img, hole, chosen, strategy_options, match_grey=match_grey)
        results.append(res if return_raw else res.composite)
    return results if batched else results[0]
