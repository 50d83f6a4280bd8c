"""facexlib backend: RetinaFace detector + FAN landmarks (the thesis's choice).

Needs ``pip install "inpaintzoo[fan]"``; facexlib downloads its weights on first
use (into its own cache), so this backend needs network once. Not exercised by the
offline test suite.
"""

from pathlib import Path

import numpy as np

from inpaintzoo.face.detection import (
    FACE_BACKENDS,
    DetectedFace,
    FaceLandmarkBackend,
    clip_box,
)
from inpaintzoo.utils.errors import MissingDependencyError

FAN_EXTRA_HINT = 'pip install "inpaintzoo[fan]"'


@FACE_BACKENDS.register_module(name='facexlib')
class FacexlibLandmarkBackend(FaceLandmarkBackend):
    """RetinaFace boxes, then FAN's 98 WFLW points on each crop mapped to 68.

    Args:
        model_dir (str | Path, optional): facexlib's weight folder
            (``model_rootpath``); default: facexlib's own.
        device (str, optional): torch device; default CUDA if available else CPU.
        conf_threshold (float): RetinaFace score threshold. Defaults to 0.9.
        margin (float): crop margin around the box, as a fraction of its larger
            side, given to FAN. Defaults to 0.2.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        device: str | None = None,
        conf_threshold: float = 0.9,
        margin: float = 0.2,
    ) -> None:
        try:
            import torch
            from facexlib.alignment import init_alignment_model, landmark_98_to_68
            from facexlib.detection import init_detection_model
        except ImportError as err:
            raise MissingDependencyError(
                f'the facexlib face backend needs the facexlib package ({err}); '
                f'install it with {FAN_EXTRA_HINT}, or use --backend dlib (offline)'
            ) from err
        if device is None:
            device = 'cuda' if torch.cuda.is_available() else 'cpu'
        root = None if model_dir is None else str(model_dir)
        self._torch = torch
        self._to68 = landmark_98_to_68
        self._detector = init_detection_model(
            'retinaface_resnet50', half=False, device=device, model_rootpath=root
        )
        self._aligner = init_alignment_model(
            'awing_fan', device=device, model_rootpath=root
        )
        self.conf_threshold = float(conf_threshold)
        self.margin = float(margin)

    def detect(self, img: np.ndarray, upsample: int = 1) -> list[DetectedFace]:
        """See :meth:`FaceLandmarkBackend.detect`; ``upsample`` is ignored."""
        height, width = img.shape[:2]
        bgr = np.ascontiguousarray(img[..., ::-1])  # facexlib works in BGR
        with self._torch.no_grad():
            boxes = self._detector.detect_faces(bgr, self.conf_threshold)
        rows = np.asarray(boxes, dtype=np.float64)
        rows = rows.reshape(0, 5) if rows.size == 0 else rows.reshape(len(rows), -1)
        faces = []
        for row in rows:  # x0 y0 x1 y1 score (+ 5 keypoints)
            x0, y0, x1, y1, score = (float(v) for v in row[:5])
            pad = self.margin * max(x1 - x0, y1 - y0)
            left, top, right, bottom = clip_box(
                x0 - pad, y0 - pad, x1 + pad, y1 + pad, width, height
            )
            if right - left < 2 or bottom - top < 2:
                continue
            crop = np.ascontiguousarray(bgr[top:bottom, left:right])
            with self._torch.no_grad():
                points98 = np.asarray(self._aligner.get_landmarks(crop), np.float32)
            points = np.asarray(self._to68(points98), np.float32) + np.float32(
                [left, top]
            )
            box = clip_box(x0, y0, x1, y1, width, height)
            faces.append(DetectedFace(box=box, landmarks=points, score=score))
        return faces
