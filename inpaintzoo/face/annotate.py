"""Annotate a folder of face pictures with 68-point landmark files.

The engine of ``tools/dataset_converters/prepare_landmarks.py``. For each image
under ``image_dir`` (recursive, sorted) it writes ``out_dir/<image stem>.txt`` in
the one-line format of :mod:`inpaintzoo.datasets.face_landmarks`, the file
``ImageMaskDataset(landmark_source=...)`` reads. Nothing is dropped silently:
every image that got no file (no face, several faces, unreadable) and every
multi-face image where a face was chosen is a row of the report (CSV columns
``path,reason,faces,detail``).
"""

import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from inpaintzoo.datasets.face_landmarks import write_landmarks
from inpaintzoo.datasets.file_list import list_folder
from inpaintzoo.face.detection import DetectedFace, detect_faces, get_backend
from inpaintzoo.utils.errors import ConfigError, ImageReadError
from inpaintzoo.utils.image_io import read_image

#: report reasons; the first three mean "no landmark file written"
NO_FACE = 'no_face'
SEVERAL_FACES = 'several_faces'
UNREADABLE = 'unreadable'
FACE_INDEX_OUT_OF_RANGE = 'face_index_out_of_range'
#: a face was chosen among several (``largest``/``face_index``); file written
CHOSE_ONE = 'several_faces_chose_one'
REPORT_COLUMNS = ('path', 'reason', 'faces', 'detail')


@dataclass
class LandmarkProblem:
    """One report row: an image and why it needs a look."""

    path: str
    reason: str
    faces: int
    detail: str = ''


@dataclass
class AnnotationResult:
    """What :func:`annotate_folder` did.

    Attributes:
        total (int): images found.
        written (list[Path]): landmark files written.
        problems (list[LandmarkProblem]): report rows, in image order.
    """

    total: int = 0
    written: list[Path] = field(default_factory=list)
    problems: list[LandmarkProblem] = field(default_factory=list)

    @property
    def missing(self) -> list[LandmarkProblem]:
        """Rows of images that got no landmark file."""
        return [p for p in self.problems if p.reason != CHOSE_ONE]

    def summary(self) -> str:
        """One line: written / total and the count per reason."""
        counts = Counter(p.reason for p in self.problems)
        parts = ', '.join(f'{reason}: {n}' for reason, n in sorted(counts.items()))
        tail = f' ({parts})' if parts else ''
        return (
            f'landmarks written for {len(self.written)} of {self.total} images; '
            f'{len(self.missing)} without landmarks{tail}'
        )


def choose_face(
    faces: list[DetectedFace], largest: bool = False, face_index: int | None = None
) -> DetectedFace | None:
    """The face to annotate among ``faces`` (sorted left to right), or None.

    One face is always taken. Among several: the largest box with ``largest``,
    the ``face_index``-th from the left with ``face_index``, else None.
    """
    if len(faces) == 1 and face_index in (None, 0):
        return faces[0]
    if largest:
        return max(faces, key=lambda f: f.area) if faces else None
    if face_index is not None and 0 <= face_index < len(faces):
        return faces[face_index]
    return None


def _image_list(image_dir: str | Path) -> list[Path]:
    paths = [Path(p) for p in list_folder(image_dir)]
    seen: dict[str, Path] = {}
    for path in paths:
        other = seen.setdefault(path.stem, path)
        if other != path:
            raise ConfigError(
                f'images {other} and {path} share the stem {path.stem!r}, so both '
                f'would write {path.stem}.txt; rename one or annotate the folders '
                'separately'
            )
    return paths


def annotate_folder(
    image_dir: str | Path,
    out_dir: str | Path,
    backend: str = 'dlib',
    upsample: int = 1,
    largest: bool = False,
    face_index: int | None = None,
    model_dir: str | Path | None = None,
    show_progress: bool = True,
) -> AnnotationResult:
    """Detect faces in every image of ``image_dir`` and write landmark files.

    Args:
        image_dir (str | Path): folder of images (recursive; stems must be unique).
        out_dir (str | Path): output folder of ``<image stem>.txt`` files.
        backend (str): face backend (``'dlib'``, ``'facexlib'``).
        upsample (int): detector upsampling steps (dlib).
        largest (bool): on multi-face images, annotate the largest face.
        face_index (int, optional): on multi-face images, annotate this face
            (0 = leftmost). Exclusive with ``largest``.
        model_dir (str | Path, optional): folder of the backend's model files.
        show_progress (bool): tqdm bar on stderr. Defaults to True.

    Returns:
        AnnotationResult: written files and report rows.
    """
    if largest and face_index is not None:
        raise ConfigError(
            'choose multi-face images by largest or by face_index, not both'
        )
    if face_index is not None and face_index < 0:
        raise ConfigError(f'face_index must be >= 0, got {face_index}')
    paths = _image_list(image_dir)
    get_backend(backend, model_dir)  # a missing package fails before the loop
    out = Path(out_dir)
    result = AnnotationResult(total=len(paths))
    iterator = paths
    if show_progress and len(paths) > 1:
        from tqdm import tqdm

        iterator = tqdm(paths, desc='landmarks', unit='img', file=sys.stderr)
    for path in iterator:
        try:
            img = read_image(path)
        except ImageReadError as err:
            result.problems.append(LandmarkProblem(str(path), UNREADABLE, 0, str(err)))
            continue
        faces = detect_faces(img, backend, upsample, model_dir)
        face = choose_face(faces, largest, face_index)
        if face is None:
            if not faces:
                reason = NO_FACE
            elif face_index is not None:
                reason = FACE_INDEX_OUT_OF_RANGE
            else:
                reason = SEVERAL_FACES
            result.problems.append(LandmarkProblem(str(path), reason, len(faces)))
            continue
        if len(faces) > 1:
            how = 'largest' if largest else f'face_index {face_index}'
            result.problems.append(
                LandmarkProblem(str(path), CHOSE_ONE, len(faces), f'wrote the {how}')
            )
        result.written.append(write_landmarks(out / f'{path.stem}.txt', face.landmarks))
    return result


def write_report(problems: list[LandmarkProblem], path: str | Path) -> Path:
    """Write the report rows as CSV (``path,reason,faces,detail``); header always."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open('w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for row in problems:
            writer.writerow((row.path, row.reason, row.faces, row.detail))
    return path
