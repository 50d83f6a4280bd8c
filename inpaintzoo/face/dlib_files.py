"""Locate dlib's ``.dat`` model files without importing the package that ships them.

The 68-point shape predictor (``shape_predictor_68_face_landmarks.dat``) ships
inside the ``face-recognition-models`` distribution (``pip install
"inpaintzoo[face]"``). Its ``__init__`` imports ``pkg_resources``, which recent
setuptools removed, so the package is never imported here: the file is found from
the installed distribution's file list (``importlib.metadata``) or from the
package folder that ``importlib.util.find_spec`` reports (a top-level package is
located, not executed).

Search order of :func:`find_dlib_model`:

1. the ``model_dir`` argument;
2. the folder in ``$INPAINTZOO_DLIB_MODELS``;
3. ``face_recognition_models/models/`` of the installed distribution.
"""

import importlib.metadata
import importlib.util
import os
from pathlib import Path

from inpaintzoo.utils.errors import ModelFileNotFoundError

#: environment variable naming a folder that holds dlib ``.dat`` files
DLIB_MODELS_ENV = 'INPAINTZOO_DLIB_MODELS'
#: the 68-point iBUG-300W shape predictor
SHAPE_PREDICTOR_68 = 'shape_predictor_68_face_landmarks.dat'
_DISTRIBUTION = 'face-recognition-models'
_PACKAGE = 'face_recognition_models'

__all__ = [
    'DLIB_MODELS_ENV',
    'SHAPE_PREDICTOR_68',
    'find_dlib_model',
    'packaged_model_dir',
]


def packaged_model_dir() -> Path | None:
    """``face_recognition_models/models`` of the installed distribution, or None.

    Neither lookup runs the package's ``__init__``.
    """
    try:
        dist = importlib.metadata.distribution(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for entry in dist.files or ():
            parts = Path(str(entry)).parts
            if parts[:2] == (_PACKAGE, 'models'):
                folder = Path(str(dist.locate_file(entry))).parent
                if folder.is_dir():
                    return folder
    try:
        spec = importlib.util.find_spec(_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or ()) if spec else ():
        folder = Path(location) / 'models'
        if folder.is_dir():
            return folder
    return None


def find_dlib_model(
    name: str = SHAPE_PREDICTOR_68, model_dir: str | Path | None = None
) -> Path:
    """Path of the dlib model file ``name``.

    Args:
        name (str): file name, e.g. ``'shape_predictor_68_face_landmarks.dat'``.
        model_dir (str | Path, optional): folder searched first.

    Returns:
        Path: an existing file.

    Raises:
        ModelFileNotFoundError: listing every folder searched and how to provide
            the file (install the extra or set ``$INPAINTZOO_DLIB_MODELS``).
    """
    searched: list[str] = []
    candidates: list[Path] = []
    if model_dir is not None:
        candidates.append(Path(model_dir))
    env = os.environ.get(DLIB_MODELS_ENV, '').strip()
    if env:
        candidates.append(Path(env).expanduser())
    packaged = packaged_model_dir()
    if packaged is not None:
        candidates.append(packaged)
    for folder in candidates:
        path = folder / name
        if path.is_file():
            return path
        searched.append(str(folder))
    where = ', '.join(searched) if searched else 'no folder (none given or installed)'
    raise ModelFileNotFoundError(
        f'dlib model file {name} not found; searched: {where}. Install it with '
        f'pip install "inpaintzoo[face]" (package {_DISTRIBUTION}) or put the file '
        f'in a folder named by ${DLIB_MODELS_ENV}'
    )
