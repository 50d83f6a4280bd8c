"""Inpaint one image file with a high-resolution strategy; time and peak memory.

The logic behind ``tools/inference_highres.py``: build the model from a config
(through :func:`inpaintzoo.apis.inference.init_model` when that module exists,
else with MMEngine from the config), read the image and mask files, run
:func:`~inpaintzoo.apis.highres.run_strategy` under ``torch.inference_mode()``,
write the composite, and report wall time and peak resident memory.

It reads masks as :func:`inpaintzoo.apis.inpaint` and ``inpaintzoo inpaint`` do
(same conventions, threshold 127 by default) and takes the strategies' training
size from the config's ``img_size`` unless one is given, so a picture gives the
same hole and, for the same strategy, the same result as through the CLI.
Fixed-size models (NCLG-MT) run through :class:`FixedSizeForward` (resized to
their input size and back), as in :func:`inpaintzoo.apis.inference.run_one`.

Peak memory is the kernel's high-water mark of the process's resident set
(``VmHWM`` in ``/proc/self/status``, the value behind ``ru_maxrss``), which sees
every allocation torch makes, unlike ``tracemalloc``. It is reset (``clear_refs``)
just before inpainting, so :attr:`HighresReport.peak_rss_mib` covers inpainting
only (weights included, they are resident); :attr:`HighresReport.process_peak_mib`
is the whole process's peak, model building included.
"""

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import Tensor, nn

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.apis.fixed_size import FixedSizeForward, fixed_input_size, network_call
from inpaintzoo.apis.grey_fill import grey_fill_if_grey
from inpaintzoo.apis.highres import run_strategy
from inpaintzoo.apis.hole_windows import label_holes
from inpaintzoo.apis.inputs import check_same_size
from inpaintzoo.apis.mask_inputs import (
    DEFAULT_MASK_THRESHOLD,
    MASK_CONVENTIONS,
    hole_and_values,
)
from inpaintzoo.apis.mask_warnings import warn_unusual_hole
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.config_paths import resolve_config
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.image_io import read_image, save_image
from inpaintzoo.utils.memory import peak_rss_mib, reset_peak_rss

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp', '.avif')
#: the reader's older convention names, accepted as aliases of the CLI's
CONVENTION_ALIASES = {reader: cli for cli, reader in MASK_CONVENTIONS.items()}
#: ``--train-size`` when the config states no ``img_size``
FALLBACK_TRAIN_SIZE = 256

logger = logging.getLogger(__name__)


@dataclass
class HighresReport:
    """What one high-resolution run did and cost."""

    strategy: str
    height: int
    width: int
    holes: int  # 8-connected hole components
    hole_fraction: float
    calls: int  # network forwards
    seconds: float  # wall time of the strategy (reading/writing excluded)
    peak_rss_mib: float  # peak resident memory while inpainting
    process_peak_mib: float  # peak resident memory of the whole process
    out: str

    def line(self) -> str:
        """One human-readable summary line."""
        return (
            f'{self.strategy}: {self.width}x{self.height}, {self.holes} hole '
            f'regions ({100 * self.hole_fraction:.1f}% of the pixels), '
            f'{self.calls} network calls, {self.seconds:.1f} s, peak memory '
            f'{self.peak_rss_mib:.0f} MiB while inpainting '
            f'({self.process_peak_mib:.0f} MiB process peak) -> {self.out}'
        )


def build_inpaintor(
    config: str | os.PathLike, checkpoint: str | None = None, device: str = 'cpu'
) -> nn.Module:
    """An inpaintor in eval mode on ``device``, with weights when given.

    Uses ``inpaintzoo.apis.inference.init_model`` when it exists; otherwise
    builds ``cfg.model`` from the config with MMEngine (random weights unless
    ``checkpoint`` names a ``.pth`` file). Pretrained feature nets of the
    losses load lazily, so inference does not need them.
    """
    try:
        from inpaintzoo.apis.inference import init_model
    except ImportError:
        init_model = None
    if init_model is not None:
        return init_model(str(config), checkpoint, device)
    cfg = Config.fromfile(str(resolve_config(config)))
    init_default_scope('inpaintzoo')
    model = MODELS.build(cfg.model)
    if checkpoint:
        load_model_checkpoint(model, checkpoint)
    model.cfg = cfg
    return model.to(device).eval()


def model_train_size(model: nn.Module) -> int:
    """The training size of ``model``: its config's ``img_size``, else 256.

    The same value ``inpaint()`` and ``inpaintzoo inpaint`` give the strategies
    (``'crop'`` windows are at least this wide; ``'crop'`` and ``'resize'``
    downscale to about this size squared).
    """
    cfg = getattr(model, 'cfg', None)
    size = cfg.get('img_size') if cfg is not None else None
    return int(size) if size else FALLBACK_TRAIN_SIZE


def read_pair(
    image_path: str | os.PathLike,
    mask_path: str | os.PathLike,
    convention: str = 'hole-white',
    threshold: float = DEFAULT_MASK_THRESHOLD,
    orientation: str = 'exif',
) -> tuple[Tensor, Tensor]:
    """Image ``(1, 3, H, W)`` float in [0, 1] and mask ``(1, 1, H, W)``, 1 = hole.

    The mask rule of ``inpaintzoo inpaint``: ``convention`` ``'hole-white'``
    (default; alias ``'white_hole'``): a grey value ``> threshold`` is a hole;
    ``'known-white'`` (alias ``'black_hole'``): a value ``< 255 - threshold``
    is. ``threshold`` defaults to 127 (:data:`DEFAULT_MASK_THRESHOLD`), so
    anti-aliased edges are split at mid-grey; 0 makes every non-zero value a
    hole, as the training data loaders do.
    ``orientation``: ``'exif'`` (default) turns both files by their EXIF
    orientation tag, ``'stored'`` reads them as stored
    (:mod:`inpaintzoo.utils.image_io`). The checks are ``inpaint()``'s: a
    size mismatch names both sizes (and the orientation switch when the EXIF
    tags explain it), and a mask without a hole or all hole warns.

    Raises:
        ImageReadError: a file is missing or not an image.
        InvalidMaskError: the mask's size differs from the image's, or an
            unknown convention or a threshold outside [0, 255) (the API's
            :func:`~inpaintzoo.apis.mask_inputs.hole_and_values` reads the mask).

    Warns:
        NoHoleWarning: no hole pixel (the image comes back unchanged).
        AllHoleWarning: every pixel is a hole.
    """
    image = read_image(image_path, orientation=orientation)
    convention = CONVENTION_ALIASES.get(convention, convention)
    mask, values = hole_and_values(mask_path, convention, threshold, orientation)
    check_same_size(image, mask, image_path, mask_path, orientation)
    warn_unusual_hole(mask, values, image_path, mask_path, convention, threshold)
    img = torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255
    return img, torch.from_numpy(mask)[None, None].float()


def _to_uint8_hwc(image: Tensor) -> np.ndarray:
    """(1, 3, H, W) float in [0, 1] -> (H, W, 3) uint8."""
    return (image[0].permute(1, 2, 0) * 255).round().clamp(0, 255).byte().numpy()


def output_path(
    out: str | os.PathLike,
    image_path: str | os.PathLike,
    mask_path: str | os.PathLike | None = None,
) -> Path:
    """``out`` when it names an image file, else ``out/<image stem>.png``.

    Raises:
        ConfigError: the result would overwrite the image or the mask.
    """
    out = Path(out)
    target = (
        out
        if out.suffix.lower() in IMAGE_SUFFIXES
        else out / f'{Path(image_path).stem}.png'
    )
    inputs = [Path(p) for p in (image_path, mask_path) if p is not None]
    if target.resolve() in {p.resolve() for p in inputs}:
        raise ConfigError(
            f'the result {target} would overwrite an input (image or mask); '
            'choose another --out'
        )
    return target


def inpaint_highres(
    model: nn.Module,
    image: Tensor,
    mask: Tensor,
    strategy: str = 'crop',
    train_size: int | None = None,
    **options,
) -> tuple[Tensor, int]:
    """Composite ``(1, 3, H, W)`` in [0, 1] and the number of network calls.

    ``model.generate(img, mask)`` is the forward: it checks the inputs, fills the
    holes and runs the generator, which pads to its stride and crops back. A
    fixed-size model (NCLG-MT) runs through :class:`FixedSizeForward`: each
    window is resized to the model's input size and its output back.

    Args:
        model (nn.Module): an inpaintor in eval mode.
        image (Tensor): (1, 3, H, W) float in [0, 1].
        mask (Tensor): (1, 1, H, W) float, 1 = hole.
        strategy (str): one of :data:`~inpaintzoo.apis.highres.STRATEGIES`.
        train_size (int, optional): the strategies' training size; default
            :func:`model_train_size` (the config's ``img_size``, else 256).
        **options: the strategy's options (``tile``, ``overlap``, ``context``).
    """
    device = next(model.parameters()).device
    calls = 0
    run_net = FixedSizeForward(network_call(model), fixed_input_size(model))
    if train_size is None:
        train_size = model_train_size(model)

    def forward(img: Tensor, hole: Tensor) -> Tensor:
        nonlocal calls
        calls += 1
        return run_net(img.to(device), hole.to(device)).to(img.device)

    with torch.inference_mode():
        raw = run_strategy(
            strategy, forward, image, mask, train_size=train_size, **options
        )
        result = torch.where(mask > 0.5, raw, image)
    if run_net.note():
        logger.info('inference_highres: %s', run_net.note())
    return result, calls


def inpaint_file(
    model: nn.Module,
    image_path: str | os.PathLike,
    mask_path: str | os.PathLike,
    out: str | os.PathLike,
    strategy: str = 'crop',
    train_size: int | None = None,
    mask_convention: str = 'hole-white',
    mask_threshold: float = DEFAULT_MASK_THRESHOLD,
    orientation: str = 'exif',
    **options,
) -> HighresReport:
    """Read, inpaint with ``strategy``, write a PNG/JPEG; return the report.

    ``mask_convention``, ``mask_threshold`` and ``orientation`` as in
    :func:`read_pair`; ``train_size`` as in :func:`inpaint_highres`.
    """
    image, mask = read_pair(
        image_path, mask_path, mask_convention, mask_threshold, orientation
    )
    target = output_path(out, image_path, mask_path)
    if target.exists() and target.is_dir():
        raise ConfigError(
            f'--out {target} is a folder; name an image file or a new path'
        )
    build_peak = peak_rss_mib()  # model building and reading, before the reset
    reset_peak_rss()
    start = time.perf_counter()
    result, calls = inpaint_highres(model, image, mask, strategy, train_size, **options)
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    target.parent.mkdir(parents=True, exist_ok=True)
    # as inpaint(): a grey picture gets no tinted fill
    pixels = grey_fill_if_grey(
        _to_uint8_hwc(result), _to_uint8_hwc(image), mask[0, 0].numpy()
    )
    save_image(pixels, target, like=image_path)  # the input's colour profile
    holes = label_holes(mask[0, 0].numpy() > 0.5)[1]
    process_peak = max(build_peak, peak_rss_mib())
    return HighresReport(
        strategy=strategy,
        height=image.shape[2],
        width=image.shape[3],
        holes=int(holes),
        hole_fraction=float(mask.mean()),
        calls=calls,
        seconds=seconds,
        peak_rss_mib=peak,
        process_peak_mib=process_peak,
        out=str(target),
    )
