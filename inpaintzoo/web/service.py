"""What the web app does, without Gradio: models, masks, checks, messages.

:mod:`inpaintzoo.web.app` lays the page out and calls :func:`handle_request`;
everything here is plain Python (numpy, torch, the inference API) and is tested
without a browser.

* Models: :func:`available_models` lists the zoo entries whose weights are in
  the local cache, the demo checkpoints ``work_dirs/demo/<model>/`` and the
  model given on the command line; :class:`ModelCache` builds one at a time
  (the last used stays loaded; weights are read-only and shared, user data
  never is).
* Mask: :func:`editor_inputs` turns the image editor's value (a background and
  RGBA brush layers) and an optional uploaded mask into an ``(H, W, 3)`` uint8
  picture and an ``(H, W)`` hole mask: a pixel any brush stroke touched (alpha
  > 0) is a hole; erased pixels are not.
* Size: :func:`choose_strategy` resolves ``'auto'`` and refuses a picture too
  large for the chosen high-resolution strategy (:data:`MAX_PIXELS`).
* Errors: :func:`handle_request` never raises; it returns an
  :class:`InpaintOutcome` whose ``message`` says what went wrong and what to do.

The "Auto lip mask" button (the cleft-lip workflow) is
:mod:`inpaintzoo.web.face_service`.
"""

import functools
import logging
import os
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inpaintzoo.utils import freed_memory
from inpaintzoo.utils.errors import (
    InpaintzooError,
    InvalidImageError,
    InvalidMaskError,
    WeightsUnavailableError,
)

logger = logging.getLogger(__name__)

#: strategies offered in the page; ``'auto'`` = ``'whole'`` up to
#: :data:`inpaintzoo.apis.highres.AUTO_WHOLE_MAX_PIXELS`, else ``'crop'`` (the
#: same rule as ``inpaint()`` and ``inpaintzoo inpaint``)
STRATEGY_CHOICES = ('auto', 'whole', 'crop', 'sliding', 'resize')
#: most pixels each strategy accepts: the whole-image pass keeps every
#: activation of the network at full size (about 1 megapixel stays within a few
#: GiB on a CPU); the windowed strategies only hold the picture itself
MAX_PIXELS = {
    'whole': 1024 * 1024,  # = highres.AUTO_WHOLE_MAX_PIXELS (a test keeps them equal)
    'crop': 40_000_000,
    'sliding': 40_000_000,
    'resize': 40_000_000,
}
#: the message shown when Run is pressed without a painted or uploaded hole
NO_MASK_MESSAGE = (
    'No mask: paint the hole over the picture with the brush (or upload a mask '
    'image, white = hole), then press Run.'
)
#: the message shown when Run is pressed without a picture
NO_IMAGE_MESSAGE = (
    'No picture: upload a picture (or pick an example), then paint the hole. '
    '(Just uploaded one? Wait until the status line says "Picture loaded".)'
)
#: the status line when the editor could not read an uploaded file
NOT_AN_IMAGE_MESSAGE = (
    '**Error:** {name} is not an image file the browser can read: upload a PNG, '
    'JPEG or WebP picture.'
)
#: architecture name prefixes of the face models (auto lip mask, landmarks)
FACE_ARCHS = ('nclg',)

#: what the status line's time measures (said next to it)
TIME_NOTE = (
    '(model loading and inpainting on the server; upload and display not counted)'
)

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelChoice:
    """One entry of the model menu.

    Attributes:
        label (str): what the menu shows (unique).
        model (str): a zoo name or a config path, for
            :func:`inpaintzoo.apis.init_model`.
        checkpoint (str | None): weights file; ``None`` for a zoo name means
            "the cached zoo weights" (checked when the model is loaded).
        arch (str): architecture (``'hint'``, ``'nclg'``, ...), ``''`` if unknown.
    """

    label: str
    model: str
    checkpoint: str | None
    arch: str = ''

    @property
    def is_face(self) -> bool:
        """Whether this is a face model (NCLG): the auto lip mask applies."""
        return self.arch.lower().replace('-', '_').startswith(FACE_ARCHS)


@dataclass
class InpaintOutcome:
    """What one press of Run produced.

    Attributes:
        message (str): Markdown status line (the result, or what went wrong).
        result (np.ndarray | None): (H, W, 3) uint8 RGB composite, or None.
        image (np.ndarray | None): (H, W, 3) uint8 RGB input that was inpainted.
        seconds (float): wall time of loading and inpainting.
        strategy (str): the strategy used (``'auto'`` resolved).
    """

    message: str
    result: np.ndarray | None = None
    image: np.ndarray | None = None
    seconds: float = 0.0
    strategy: str = ''

    @property
    def ok(self) -> bool:
        """Whether a result was produced."""
        return self.result is not None


# ---------------------------------------------------------------------- models


def last_demo_checkpoint(work_dir: Path) -> Path | None:
    """The newest ``iter_*.pth`` of a demo work dir (or its ``last_checkpoint``)."""
    pointer = work_dir / 'last_checkpoint'
    if pointer.is_file():
        target = Path(pointer.read_text().strip())
        if target.is_file():
            return target
    ckpts = [p for p in work_dir.glob('iter_*.pth') if p.stem[5:].isdigit()]
    return max(ckpts, key=lambda p: int(p.stem[5:])) if ckpts else None


def demo_models(demo_root: str | os.PathLike = 'work_dirs/demo') -> list[ModelChoice]:
    """The demo-trained checkpoints present under ``demo_root/<model>/``."""
    from inpaintzoo.apis.demo import DEMO_CONFIGS
    from inpaintzoo.utils.config_paths import package_config

    found = []
    for arch, config in DEMO_CONFIGS.items():
        ckpt = last_demo_checkpoint(Path(demo_root) / arch)
        if ckpt is not None:
            found.append(
                ModelChoice(
                    f'{arch} (demo, {ckpt.name})',
                    str(package_config(config)),
                    str(ckpt),
                    arch,
                )
            )
    return found


def zoo_models() -> list[ModelChoice]:
    """Zoo entries whose converted weights are in the local cache."""
    from inpaintzoo.hub import list_models

    found = []
    for info in list_models():
        local = info.local_path()
        if local is not None:
            found.append(ModelChoice(info.name, info.name, str(local), str(info.arch)))
    return found


def cli_model(model: str, checkpoint: str | None) -> ModelChoice:
    """The menu entry of ``inpaintzoo serve --model M [--checkpoint C]``."""
    arch = ''
    try:
        from inpaintzoo.hub import get_model_info

        arch = str(get_model_info(model).arch)
    except Exception:  # a config path, not a zoo name
        arch = Path(model).stem.split('-')[0].split('_')[0]
    label = model
    if checkpoint is not None:
        label = f'{Path(model).name} + {Path(checkpoint).name}'
    return ModelChoice(label, model, checkpoint, arch)


def available_models(
    model: str | None = None,
    checkpoint: str | None = None,
    demo_root: str | os.PathLike = 'work_dirs/demo',
) -> list[ModelChoice]:
    """The model menu: the command-line model first, then demo and zoo models.

    Args:
        model (str, optional): ``--model`` (zoo name or config).
        checkpoint (str, optional): ``--checkpoint``.
        demo_root (str | Path): where ``make demo`` writes its checkpoints.

    Returns:
        list[ModelChoice]: unique labels; may be empty (the page then says how
        to get a model).
    """
    choices = [cli_model(model, checkpoint)] if model else []
    for extra in (*demo_models(demo_root), *zoo_models()):
        if all(c.label != extra.label for c in choices):
            choices.append(extra)
    return choices


def no_model_message() -> str:
    """What the page says when no model is available."""
    return (
        'No model with weights is available. Train the demo model (`make demo`), '
        'download zoo weights (`inpaintzoo list`, then `inpaintzoo download NAME`), '
        'or start with `inpaintzoo serve --model CONFIG --checkpoint FILE`.'
    )


def device_choices() -> list[str]:
    """``['cpu']`` plus each visible CUDA device."""
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return ['cpu', *(f'cuda:{i}' for i in range(gpus))]


class ModelCache:
    """Builds models on demand and keeps the last ``size`` of them loaded.

    Thread-safe: two requests for the same model build it once.
    """

    def __init__(self, size: int = 1) -> None:
        self.size = max(1, int(size))
        self._models: dict[tuple[str, str | None, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, choice: ModelChoice, device: str = 'cpu') -> Any:
        """The model of ``choice`` on ``device`` (built on first use).

        Raises:
            WeightsUnavailableError: a zoo model whose weights are not cached
                (the message names ``inpaintzoo download NAME``).
        """
        key = (choice.model, choice.checkpoint, device)
        with self._lock:
            if key in self._models:
                self._models[key] = self._models.pop(key)  # most recent last
                return self._models[key]
            model = load_model(choice, device)
            self._models[key] = model
            while len(self._models) > self.size:
                self._models.pop(next(iter(self._models)))
            return model


def load_model(choice: ModelChoice, device: str = 'cpu') -> Any:
    """Build ``choice`` with :func:`~inpaintzoo.apis.init_model`; never downloads.

    Raises:
        WeightsUnavailableError: a checkpoint file is missing, or a zoo model's
            weights are not in the local cache.
    """
    from inpaintzoo.apis.inference import init_model

    checkpoint = choice.checkpoint
    if checkpoint is None and not _is_config(choice.model):
        from inpaintzoo.hub import get_model_info

        local = get_model_info(choice.model).local_path()
        if local is None:
            raise WeightsUnavailableError(
                f'the weights of {choice.model!r} are not downloaded: run '
                f'`inpaintzoo download {choice.model}` on the server, then reload '
                'the page'
            )
        checkpoint = str(local)
    remote = checkpoint is not None and '://' in checkpoint
    if checkpoint is not None and not remote and not Path(checkpoint).is_file():
        raise WeightsUnavailableError(
            f'checkpoint {checkpoint} of model {choice.label!r} does not exist: '
            'train the demo again (`make demo`) or pass --checkpoint FILE'
        )
    return init_model(choice.model, checkpoint, device=device)


def _is_config(name: str) -> bool:
    return name.endswith('.py') or os.sep in name


# ------------------------------------------------------------------------ mask


def picture_rgb(array: Any, what: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB of an editor image; alpha dropped, as the CLI does.

    The colour of a semi-transparent pixel is the one the browser sends (its
    stored colour); a fully transparent pixel's colour is discarded by the
    browser's canvas and arrives black.
    """
    arr = np.asarray(array)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.size == 0:
        raise InvalidImageError(
            f'{what} could not be read as a picture (got shape {arr.shape}); '
            'upload a PNG, JPEG or WebP image'
        )
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[..., :3])


def picture_key(editor: Mapping[str, Any] | None) -> str | None:
    """A short identity of the editor's background picture, or None without one.

    Brush strokes change the editor's value but not its background: the key
    (size and a CRC of a 1-in-8 pixel subsample) tells a new picture from a new
    stroke without hashing megapixels on every stroke.

    Args:
        editor (Mapping, optional): the image editor's value.

    Returns:
        str | None: e.g. ``'120x160x4:1234567'``.
    """
    background = None if editor is None else editor.get('background')
    if background is None:
        return None
    arr = np.asarray(background)
    sample = np.ascontiguousarray(arr[::8, ::8])
    return 'x'.join(map(str, arr.shape)) + f':{zlib.crc32(sample.tobytes())}'


def picture_status(editor: Mapping[str, Any] | None) -> str:
    """Status line after an upload: the picture's size, or '' without one.

    Args:
        editor (Mapping, optional): the image editor's value (see
            :func:`editor_inputs`).

    Returns:
        str: e.g. ``'Picture loaded (160x120): paint the hole, then press Run.'``
    """
    background = None if editor is None else editor.get('background')
    if background is None:
        return ''
    height, width = np.asarray(background).shape[:2]
    return f'Picture loaded ({width}x{height}): paint the hole, then press Run.'


def read_uploaded_mask(mask: Any) -> np.ndarray:
    """An uploaded mask (a file path, or an array) as an (H, W) hole, 1 = hole.

    A file is decoded by the project's reader (EXIF-upright, as the browser
    shows the picture); a mask drawn in transparency takes its hole from alpha.

    Raises:
        InvalidMaskError: the file is not an image (named by its file name).
    """
    from inpaintzoo.apis.inputs import to_hole_mask

    if not isinstance(mask, str | os.PathLike):
        return to_hole_mask(np.asarray(mask))
    try:
        return to_hole_mask(os.fspath(mask))
    except InpaintzooError as err:
        why = str(err).split(': ', 1)[-1]
        raise InvalidMaskError(
            f'the uploaded mask {Path(mask).name} could not be read: {why}'
        ) from err


def editor_inputs(
    editor: Mapping[str, Any] | None, mask_upload: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """The picture and the hole mask of one request.

    Args:
        editor (Mapping, optional): the image editor's value: ``background``
            (H, W, 3|4) uint8 and ``layers``, a list of (H, W, 4) uint8 RGBA
            brush layers (alpha > 0 where a stroke is).
        mask_upload (optional): an uploaded mask file's path (or an (H, W) /
            (H, W, 3|4) uint8 array), white = hole; a mask drawn in
            transparency (alpha varies, one visible colour) takes its hole
            from alpha, as files do; joined with the painted strokes.

    Returns:
        tuple[np.ndarray, np.ndarray]: (H, W, 3) uint8 RGB picture and (H, W)
        float32 mask in {0, 1}, 1 = hole.

    Raises:
        InvalidImageError: no picture, or one that is not an image.
        InvalidMaskError: no hole painted or uploaded (:data:`NO_MASK_MESSAGE`),
            a layer / uploaded mask of another size than the picture, or an
            uploaded mask file that is not an image.
    """
    background = None if editor is None else editor.get('background')
    if background is None:
        raise InvalidImageError(NO_IMAGE_MESSAGE)
    image = picture_rgb(background, 'the uploaded picture')
    height, width = image.shape[:2]
    hole = np.zeros((height, width), bool)
    for k, layer in enumerate(editor.get('layers') or []):
        if layer is None:
            continue
        arr = np.asarray(layer)
        if arr.shape[:2] != (height, width):
            raise InvalidMaskError(
                f'brush layer {k + 1} is {arr.shape[1]}x{arr.shape[0]} but the picture '
                f'is {width}x{height}; clear the canvas and paint again'
            )
        hole |= arr[..., 3] > 0 if arr.ndim == 3 and arr.shape[2] == 4 else arr > 0
    if mask_upload is not None:
        upload = read_uploaded_mask(mask_upload)
        if upload.shape[:2] != (height, width):
            raise InvalidMaskError(
                f'the uploaded mask is {upload.shape[1]}x{upload.shape[0]} but the '
                f'picture is {width}x{height}: upload a mask of the same size '
                '(white = hole) or paint the hole instead'
            )
        hole |= upload > 0.5
    if not hole.any():
        raise InvalidMaskError(NO_MASK_MESSAGE)
    return image, hole.astype(np.float32)


# ----------------------------------------------------------------------- sizes


def choose_strategy(strategy: str, height: int, width: int) -> str:
    """The strategy to run for an ``height x width`` picture.

    ``'auto'`` is :func:`inpaintzoo.apis.highres.auto_strategy`: ``'whole'`` up
    to :data:`MAX_PIXELS` ``['whole']`` pixels and ``'crop'`` above.

    Raises:
        InvalidImageError: the picture has more pixels than the strategy accepts
            (names the size, the limit and what to choose instead).
        InvalidImageError: an unknown strategy.
    """
    if strategy not in STRATEGY_CHOICES:
        raise InvalidImageError(
            f'unknown strategy {strategy!r}; choose one of '
            f'{", ".join(STRATEGY_CHOICES)}'
        )
    pixels = height * width
    if strategy == 'auto':
        from inpaintzoo.apis.highres import auto_strategy

        strategy = auto_strategy(height, width)
    limit = MAX_PIXELS[strategy]
    if pixels > limit:
        hint = (
            "choose 'crop' or 'sliding' (made for large pictures)"
            if strategy == 'whole'
            else 'downscale the picture before uploading it'
        )
        raise InvalidImageError(
            f'the picture is {width}x{height} ({pixels / 1e6:.1f} megapixels), too '
            f"large for strategy '{strategy}' (at most {limit / 1e6:.1f} "
            f'megapixels): {hint}'
        )
    return strategy


def planned_calls(strategy: str, hole: np.ndarray, train_size: int) -> int:
    """How many network forwards ``strategy`` makes for ``hole`` (for progress)."""
    from inpaintzoo.apis.highres import (
        STRATEGY_OPTIONS,
        crop_windows,
        label_holes,
        tile_grid,
    )

    if strategy in ('whole', 'resize'):
        return 1
    if strategy == 'sliding':
        opts = STRATEGY_OPTIONS['sliding']
        grid = tile_grid(*hole.shape, int(opts['tile']), int(opts['overlap']))
        return sum(bool(hole[t:b, left:r].any()) for (t, b, left, r), _ in grid)
    labels, _ = label_holes(hole > 0.5)
    context = float(STRATEGY_OPTIONS['crop']['context'])
    return len(crop_windows(labels, context, train_size))


def run_model(
    model: Any,
    image: np.ndarray,
    hole: np.ndarray,
    strategy: str,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Inpaint one picture; report ``progress(done, total)`` after each forward.

    Args:
        model: an inpaintor from :func:`load_model`.
        image (np.ndarray): (H, W, 3) uint8 RGB.
        hole (np.ndarray): (H, W) float32, 1 = hole.
        strategy (str): a resolved strategy (not ``'auto'``).
        progress (Callable, optional): called with ``(done, total)`` forwards.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB composite: the input outside the hole (a
        grey picture gets a grey fill, by :func:`run_one`, as with ``inpaint()``).
    """
    from inpaintzoo.apis.inference import run_one, train_size

    total = max(1, planned_calls(strategy, hole, train_size(model)))
    done = 0

    def count() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)

    if progress is not None:
        progress(0, total)
    # as inpaint() does: fixed-size models (NCLG-MT) run resized to their size
    return run_one(model, image, hole, strategy, {}, after_forward=count).composite


# --------------------------------------------------------------------- request


def releases_freed_memory(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Run a request handler, then give freed memory back to the system.

    Only where the server keeps freed memory
    (:func:`inpaintzoo.utils.freed_memory.release_freed_memory`): requests stay
    fast, and an idle server does not hold the peak memory of its last picture.
    """

    @functools.wraps(handler)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        finally:
            freed_memory.release_freed_memory()

    return wrapped


def request_failed(err: Exception, start: float, oom_hint: str = '') -> InpaintOutcome:
    """The outcome of a request that failed unexpectedly (a bug, a device error).

    Args:
        err (Exception): what was raised (its first line is shown).
        start (float): ``time.perf_counter()`` when the request started.
        oom_hint (str): appended when the message says "out of memory".
    """
    text = str(err).splitlines()[0] if str(err) else ''
    hint = oom_hint if 'out of memory' in text.lower() else ''
    return InpaintOutcome(
        f'**Error:** the request failed ({type(err).__name__}: {text}){hint}. '
        'The server keeps running; see its log for details.',
        seconds=time.perf_counter() - start,
    )


@releases_freed_memory
def handle_request(
    cache: ModelCache,
    choices: Sequence[ModelChoice],
    label: str | None,
    device: str,
    editor: Mapping[str, Any] | None,
    mask_upload: Any = None,
    strategy: str = 'auto',
    progress: ProgressFn | None = None,
) -> InpaintOutcome:
    """Run one request of the page; never raises.

    Args:
        cache (ModelCache): the server's model cache.
        choices (Sequence[ModelChoice]): the model menu.
        label (str, optional): the chosen menu label.
        device (str): ``'cpu'``, ``'cuda:0'``, ...
        editor (Mapping, optional): the image editor's value.
        mask_upload (optional): an uploaded mask image.
        strategy (str): one of :data:`STRATEGY_CHOICES`.
        progress (Callable, optional): ``progress(done, total)``.

    Returns:
        InpaintOutcome: the result and a status message, or only a message that
        says what went wrong and what to do.
    """
    start = time.perf_counter()
    try:
        choice = next((c for c in choices if c.label == label), None)
        if choice is None:
            raise WeightsUnavailableError(
                no_model_message() if not choices else f'unknown model {label!r}'
            )
        image, hole = editor_inputs(editor, mask_upload)
        resolved = choose_strategy(strategy, *image.shape[:2])
        model = cache.get(choice, device)
        result = run_model(model, image, hole, resolved, progress)
    except InpaintzooError as err:
        return InpaintOutcome(f'**Error:** {err}', seconds=time.perf_counter() - start)
    except MemoryError:
        return InpaintOutcome(
            "**Error:** out of memory: choose the 'crop' or 'sliding' strategy, or a "
            'smaller picture',
            seconds=time.perf_counter() - start,
        )
    except Exception as err:  # a bug or a device failure: report, keep serving
        logger.exception('inpainting request failed')
        return request_failed(
            err, start, "; choose the 'crop' or 'sliding' strategy or the CPU"
        )
    seconds = time.perf_counter() - start
    height, width = image.shape[:2]
    return InpaintOutcome(
        f'Done in {seconds:.2f} s {TIME_NOTE}: {width}x{height}, '
        f'{int(hole.sum())} hole pixels, '
        f"strategy '{resolved}', model {choice.label}, {device}.",
        result=result,
        image=image,
        seconds=seconds,
        strategy=resolved,
    )
