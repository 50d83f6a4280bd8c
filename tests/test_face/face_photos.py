"""Face photos of ../shared/data and their dlib landmarks, cached per session."""

import functools
from pathlib import Path

import numpy as np
import pytest

from inpaintzoo.utils.image_io import read_image

SHARED = Path(__file__).resolve().parents[3] / 'shared' / 'data'
CELEBA_00000 = SHARED / 'celeba_landmarks' / 'images' / '00000.png'
CELEBA_DIR = SHARED / 'celeba_landmarks' / 'images'
CELEBAHQ_1 = SHARED / 'celebahq' / 'test1.png'


def need_dlib() -> None:
    """Skip (with the reason) when the dlib backend is not installed."""
    pytest.importorskip('dlib', reason='dlib backend not installed (inpaintzoo[face])')


@functools.cache
def photo(path: Path) -> np.ndarray:
    """(H, W, 3) uint8 RGB of a shared face picture (read-only)."""
    img = read_image(path)
    img.setflags(write=False)
    return img


@functools.cache
def landmarks(path: Path) -> np.ndarray:
    """(68, 2) dlib landmarks of the single face of ``path``."""
    from inpaintzoo.face.detection import detect_faces

    faces = detect_faces(photo(path))
    assert len(faces) == 1
    return faces[0].landmarks
