"""The web app's "Auto lip mask" button, without Gradio: the cleft-lip workflow.

:func:`handle_face_request` runs :func:`inpaintzoo.apis.face.inpaint_face` on the
page's picture (the painted hole, else the automatic lip mask) and never raises:
errors come back as an :class:`~inpaintzoo.web.service.InpaintOutcome` message
worded for the page's controls. The shared parts (models, editor input, time
note) live in :mod:`inpaintzoo.web.service`.
"""

import logging
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from inpaintzoo.utils.errors import InpaintzooError, InvalidImageError, InvalidMaskError
from inpaintzoo.web.editor_inputs import NO_IMAGE_MESSAGE, editor_inputs, picture_rgb
from inpaintzoo.web.model_menu import ModelCache, ModelChoice
from inpaintzoo.web.service import (
    TIME_NOTE,
    InpaintOutcome,
    releases_freed_memory,
    request_failed,
)

logger = logging.getLogger(__name__)


def face_api_available() -> bool:
    """Whether :func:`inpaintzoo.apis.face.inpaint_face` can be imported."""
    try:
        from inpaintzoo.apis.face import inpaint_face  # noqa: F401
    except ImportError:
        return False
    return True


def _face_page_message(err: Exception, image: np.ndarray) -> str:
    """A face error worded for the page (its buttons), not for the CLI/API."""
    from inpaintzoo.face.detection import detect_faces
    from inpaintzoo.utils.errors import MultipleFacesError, NoFaceFoundError

    if isinstance(err, MultipleFacesError):
        try:
            faces = detect_faces(image)
        except Exception:  # the first detection worked; never fail here
            return str(err)
        boxes = ', '.join(f'{k}: {f.box}' for k, f in enumerate(faces))
        return (
            f'{len(faces)} faces found (left to right: {boxes}): type the face '
            f'number in "Face" (0 = leftmost, up to {len(faces) - 1}), or paint '
            'over the part to fill on that face, then press Auto lip mask again.'
        )
    if isinstance(err, NoFaceFoundError):
        height, width = image.shape[:2]
        return (
            f'no face found in the {width}x{height} picture: upload a frontal, '
            'well-lit photo with a face at least 64 px wide, or paint the hole '
            'and press Run to inpaint without face alignment.'
        )
    return str(err).replace('face_index', '"Face"')


def _inpaint_one_face(
    model: Any, image: np.ndarray, painted: np.ndarray | None, face: int | None
) -> Any:
    """``inpaint_face`` on the page's input.

    With several faces, no ``face`` and a painted hole: the face whose aligned
    crop holds the hole.
    """
    from inpaintzoo.apis.face import face_holding_hole, inpaint_face
    from inpaintzoo.face.detection import detect_faces
    from inpaintzoo.utils.errors import MultipleFacesError

    try:
        return inpaint_face(model, image, mask=painted, face_index=face)
    except MultipleFacesError:
        if painted is None:
            raise
        chosen = face_holding_hole(detect_faces(image), painted)
        if chosen is None:
            raise
    return inpaint_face(model, image, mask=painted, face_index=chosen)


def _face_index(value: Any) -> int | None:
    """The page's "Face" field: None when empty, else an int >= 0."""
    if value is None or str(value).strip() == '':
        return None
    try:
        index = float(str(value).strip())
    except ValueError:
        index = math.nan  # a word: refused below with the numbers that are
    if not math.isfinite(index) or index < 0 or index != int(index):
        raise InvalidImageError(
            f'"Face" must be a whole number >= 0 (0 = leftmost) or empty (the '
            f'face holding the painted hole), got {value!r}'
        )
    return int(index)


@releases_freed_memory
def handle_face_request(
    cache: ModelCache,
    choices: Sequence[ModelChoice],
    label: str | None,
    device: str,
    editor: Mapping[str, Any] | None,
    show_landmarks: bool = False,
    face_index: Any = None,
) -> tuple[InpaintOutcome, np.ndarray | None]:
    """The "auto lip mask" button: the cleft-lip workflow on a face photo.

    The hole is the painted one when strokes exist, else the upper lip and
    nostrils found from the face's landmarks
    (:func:`inpaintzoo.apis.face.inpaint_face`, ``auto_mask='lip'``); the result
    is the full-resolution photo. With several faces the one of ``face_index``
    (the page's "Face" field), else the one whose crop holds the painted hole;
    without either the message says how to choose. Never raises.

    Returns:
        tuple: the outcome (``result`` = the inpainted photo) and the picture to
        show: the result with the predicted landmarks drawn when
        ``show_landmarks`` and the model predicts them, else the result (None on
        error).
    """
    start = time.perf_counter()
    image = None
    try:
        choice = next((c for c in choices if c.label == label), None)
        if choice is None or not choice.is_face:
            raise InvalidImageError(
                'the auto lip mask needs a face model (NCLG): choose one in the '
                'model menu'
            )
        background = None if editor is None else editor.get('background')
        if background is None:
            raise InvalidImageError(NO_IMAGE_MESSAGE)
        image = picture_rgb(background, 'the uploaded picture')
        face = _face_index(face_index)
        try:
            _, painted = editor_inputs(editor)
        except InvalidMaskError:
            painted = None  # nothing painted: the automatic lip mask
        model = cache.get(choice, device)
        res = _inpaint_one_face(model, image, painted, face)
    except (InpaintzooError, ImportError) as err:
        text = str(err) if image is None else _face_page_message(err, image)
        return InpaintOutcome(
            f'**Error:** {text}', seconds=time.perf_counter() - start
        ), None
    except Exception as err:  # a bug or a device failure: report, keep serving
        logger.exception('face request failed')
        return request_failed(err, start), None
    return _face_outcome(res, image, painted, choice, device, show_landmarks, start)


def _face_outcome(
    res: Any,
    image: np.ndarray,
    painted: np.ndarray | None,
    choice: ModelChoice,
    device: str,
    show_landmarks: bool,
    start: float,
) -> tuple[InpaintOutcome, np.ndarray]:
    """The outcome and the picture shown of a successful face request."""
    seconds = time.perf_counter() - start
    shown = res.image
    extra = ''
    if show_landmarks and res.landmarks is not None:
        from inpaintzoo.face.drawing import draw_landmarks

        shown = draw_landmarks(res.image, res.landmarks)
        extra = ', predicted landmarks drawn'
    elif show_landmarks:
        extra = ' (this model predicts no landmarks)'
    mask_kind = 'painted hole' if painted is not None else 'automatic lip mask'
    note = f' Note: {res.note}.' if getattr(res, 'note', '') else ''
    message = (
        f'Done in {seconds:.2f} s {TIME_NOTE}: face {res.face_index} at {res.box}, '
        f'{mask_kind} ({int((res.mask > 0).sum())} hole pixels){extra}, model '
        f'{choice.label}, {device}.{note}'
    )
    outcome = InpaintOutcome(message, res.image, image, seconds, 'face')
    return outcome, shown
