"""Face tooling: detection with 68-point landmarks, alignment, lip masks, paste-back.

The detection API is :func:`inpaintzoo.face.detection.detect_faces`; importing
this package does not import dlib or facexlib.
"""

from inpaintzoo.face.detection import (
    FACE_BACKENDS,
    NUM_LANDMARKS,
    DetectedFace,
    detect_faces,
    detect_faces_in_file,
)
from inpaintzoo.face.dlib_files import find_dlib_model

__all__ = [
    'FACE_BACKENDS',
    'NUM_LANDMARKS',
    'DetectedFace',
    'detect_faces',
    'detect_faces_in_file',
    'find_dlib_model',
]
