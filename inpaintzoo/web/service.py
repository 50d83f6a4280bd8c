"""What the web app does, without Gradio: run a request, check sizes, messages.

:mod:`inpaintzoo.web.app` lays the page out and calls :func:`handle_request`;
everything here is plain Python (numpy, torch, the inference API) and is tested
without a browser.

* Models: :mod:`inpaintzoo.web.model_menu` (:func:`available_models`,
  :class:`ModelCache`).
* Mask: :mod:`inpaintzoo.web.editor_inputs` (:func:`editor_inputs`).
* Size: :func:`choose_strategy` resolves ``'auto'`` and refuses a picture too
  large for the chosen high-resolution strategy (:data:`MAX_PIXELS`).
* Errors: :func:`handle_request` never raises; it returns an
  :class:`InpaintOutcome` whose ``message`` says what went wrong and what to do.

The "Auto lip mask" button (the cleft-lip workflow) is
:mod:`inpaintzoo.web.face_service`.
"""

import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from inpaintzoo.utils import freed_memory
from inpaintzoo.utils.errors import (
    InpaintzooError,
    InvalidImageError,
    WeightsUnavailableError,
)
from inpaintzoo.web.editor_inputs import (
    editor_inputs,
)
from inpaintzoo.web.model_menu import (
    ModelCache,
    ModelChoice,
    no_model_message,
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
#: the status line when the editor could not read an uploaded file
NOT_AN_IMAGE_MESSAGE = (
    '**Error:** {name} is not an image file the browser can read: upload a PNG, '
    'JPEG or WebP picture.'
)
#: what the status line's time measures (said next to it)
TIME_NOTE = (
    '(model loading and inpainting on the server; upload and display not counted)'
)

ProgressFn = Callable[[int, int], None]


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
    from inpaintzoo.apis.highres import STRATEGY_OPTIONS
    from inpaintzoo.apis.highres_tiles import tile_grid
    from inpaintzoo.apis.hole_windows import crop_windows, label_holes

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
