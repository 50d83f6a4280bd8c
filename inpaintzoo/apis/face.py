"""Inpaint a region of a face photo at full resolution (the cleft-lip workflow).

:func:`inpaint_face` detects the face (68 landmarks), aligns it to the square
crop the model was trained on (:mod:`inpaintzoo.face.align`), builds a hole over
the upper lip and nostrils from the landmarks unless a mask is given
(:mod:`inpaintzoo.face.lip_mask`), inpaints the crop with
:func:`inpaintzoo.apis.inpaint` and pastes the result back into the photo with a
feathered seam (:mod:`inpaintzoo.face.paste_back`): pixels farther than the
seam from the hole keep their original bytes. No files are read or written
here (arrays in, arrays out), so the browser app and ``tools/inpaint_face.py``
share it.

Example::

    from inpaintzoo.apis import init_model
    from inpaintzoo.apis.face import inpaint_face

    model = init_model('configs/nclg/....py', 'nclg.pth', device='cpu')
    res = inpaint_face(model, photo)          # photo: (H, W, 3) uint8 RGB
    res.image, res.mask, res.landmarks        # full-size result, hole, points
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from inpaintzoo.apis.inputs import check_same_size, to_rgb_uint8
from inpaintzoo.apis.mask_inputs import to_hole_mask
from inpaintzoo.face.align import TEMPLATE_SIZE, FaceAlignment, align_face
from inpaintzoo.face.lip_mask import AUTO_MASKS, DEFAULT_MARGIN
from inpaintzoo.face.lip_mask import auto_mask as make_mask
from inpaintzoo.face.paste_back import (
    DEFAULT_FEATHER,
    mask_to_crop,
    mask_to_photo,
    paste_back,
)
from inpaintzoo.utils.errors import (
    ConfigError,
    FaceTooSmallError,
    InvalidMaskError,
    MultipleFacesError,
    NoFaceFoundError,
)
from inpaintzoo.utils.tool_paths import tool_path

#: smallest usable face: the shorter side of the detected box, photo pixels
MIN_FACE_SIZE = 64


@dataclass
class FaceInpaintResult:
    """What :func:`inpaint_face` returns (all arrays uint8 RGB unless noted).

    Attributes:
        image (np.ndarray): (H, W, 3) the photo with the hole inpainted and
            blended in; identical to the input farther than ``feather`` pixels
            from the hole.
        crop (np.ndarray): (S, S, 3) aligned face crop given to the model.
        crop_result (np.ndarray): (S, S, 3) the model's composite on the crop.
        mask (np.ndarray): (H, W) uint8 hole in photo pixels, 255 = hole.
        crop_mask (np.ndarray): (S, S) uint8 hole in crop pixels, 255 = hole.
        landmarks (np.ndarray | None): (68, 2) float32 (x, y) landmarks the model
            predicted, in photo pixels; None for a model without landmarks.
        crop_landmarks (np.ndarray | None): the same in crop pixels.
        detected_landmarks (np.ndarray): (68, 2) float32 landmarks of the
            detector, photo pixels.
        box (tuple[int, int, int, int]): the detected face box (x0, y0, x1, y1).
        face_index (int): index of the face among the detected ones (left to right).
        alignment (FaceAlignment): photo <-> crop mapping (``matrix``, ``inverse``).
        note (str): how the input was adapted ('' when nothing to say).
    """

    image: np.ndarray
    crop: np.ndarray
    crop_result: np.ndarray
    mask: np.ndarray
    crop_mask: np.ndarray
    landmarks: np.ndarray | None
    crop_landmarks: np.ndarray | None
    detected_landmarks: np.ndarray
    box: tuple[int, int, int, int]
    face_index: int
    alignment: FaceAlignment
    note: str = ''


def _boxes(faces: list) -> str:
    return ', '.join(
        f'{k}: {f.box} ({f.width}x{f.height} px)' for k, f in enumerate(faces)
    )


def choose_face(
    faces: list, face_index: int | None, shape: tuple[int, int], min_face: int
) -> tuple[int, Any]:
    """The face to work on, or a clear error.

    Args:
        faces (list[DetectedFace]): detected faces, left to right.
        face_index (int, optional): which one; required when there are several.
        shape (tuple[int, int]): ``(H, W)`` of the photo (for messages).
        min_face (int): minimum shorter side of the face box, pixels.

    Returns:
        tuple: ``(index, DetectedFace)``.

    Raises:
        NoFaceFoundError, MultipleFacesError, FaceTooSmallError, ConfigError.
    """
    h, w = shape
    if not faces:
        raise NoFaceFoundError(
            f'no face found in the {w}x{h} photo: use a frontal, well-lit photo '
            f'where the face is at least {min_face} px wide, or inpaint a hand-made '
            'mask on the whole picture with `inpaintzoo inpaint`'
        )
    if face_index is None:
        if len(faces) > 1:
            raise MultipleFacesError(
                f'{len(faces)} faces found (left to right: {_boxes(faces)}); choose '
                f'one with face_index=K ({tool_path("inpaint_face.py")} '
                '--face-index K)'
            )
        face_index = 0
    if not -len(faces) <= face_index < len(faces):
        raise ConfigError(
            f'face_index {face_index} is out of range: {len(faces)} face(s) found '
            f'(left to right: {_boxes(faces)})'
        )
    index = face_index % len(faces)
    face = faces[index]
    if min(face.width, face.height) < min_face:
        raise FaceTooSmallError(
            f'face {index} at {face.box} is {face.width}x{face.height} px, smaller '
            f'than the minimum {min_face} px (shorter side): use a photo where the '
            'face is larger (closer or higher resolution)'
        )
    return index, face


def face_holding_hole(
    faces: list, hole: np.ndarray, crop_size: int = TEMPLATE_SIZE
) -> int | None:
    """Index of the face whose aligned crop holds most of ``hole``.

    Args:
        faces (list[DetectedFace]): detected faces, left to right.
        hole (np.ndarray): (H, W) hole in photo pixels, > 0 = hole.
        crop_size (int): side of the aligned crop. Defaults to 256.

    Returns:
        int | None: the index, or None when no face's crop holds a hole pixel.
    """
    from inpaintzoo.face.align import estimate_alignment, transform_points

    ys, xs = np.nonzero(np.asarray(hole) > 0)
    if xs.size == 0:
        return None
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    counts = []
    for face in faces:
        alignment = estimate_alignment(face.landmarks, hole.shape[:2], crop_size)
        crop = transform_points(points, alignment.matrix)
        inside = ((crop >= 0) & (crop < crop_size)).all(axis=1)
        counts.append(int(inside.sum()))
    best = int(np.argmax(counts)) if counts else 0
    return best if counts and counts[best] > 0 else None


def inpaint_face(
    model: Any,
    image: Any,
    mask: Any = None,
    auto_mask: str | None = 'lip',
    face_index: int | None = None,
    margin: float = DEFAULT_MARGIN,
    backend: str = 'dlib',
    *,
    feather: float = DEFAULT_FEATHER,
    min_face: int = MIN_FACE_SIZE,
    crop_size: int = TEMPLATE_SIZE,
    upsample: int = 1,
    mask_convention: str = 'hole-white',
    orientation: str = 'exif',
) -> FaceInpaintResult:
    """Inpaint the upper lip (or a given hole) of a face photo at full resolution.

    Args:
        model: an inpaintor from :func:`inpaintzoo.apis.init_model` (NCLG-MT:
            its fixed input size is handled by :func:`inpaintzoo.apis.inpaint`).
        image: (H, W, 3) uint8 RGB array (or a PIL image / tensor; see
            :mod:`inpaintzoo.apis.inputs`).
        mask: optional hole in photo pixels (white = hole), of the photo's size;
            when given, ``auto_mask`` is not used.
        auto_mask (str, optional): ``'lip'``: upper lip + nostrils from the
            landmarks (used when ``mask`` is None).
        face_index (int, optional): which detected face (0 = leftmost); needed
            when the photo holds several.
        margin (float): growth of the auto mask, pixels of the 256 aligned crop.
            Defaults to 8.
        backend (str): face detector (``'dlib'``, ``'facexlib'``).
        feather (float): seam width outside the hole, photo pixels. Defaults to 6.
        min_face (int): smallest usable face box side, photo pixels. Defaults to 64.
        crop_size (int): side of the aligned crop. Defaults to 256 (the paper
            model's input; smaller models get it resized).
        upsample (int): detector upsampling (finds smaller faces, slower).
        mask_convention (str): ``'hole-white'`` (default) or ``'known-white'``.
        orientation (str): ``'exif'`` (default: a photo file or PIL image is
            turned by its EXIF orientation tag, so the face is upright as viewers
            show it) or ``'stored'``.

    Returns:
        FaceInpaintResult: full-size result, crop in/out, masks, landmarks, box.

    Raises:
        NoFaceFoundError / MultipleFacesError / FaceTooSmallError: the face
            cannot be used (messages say what to do).
        InvalidMaskError: a mask of another size than the photo, or one that
            misses the face crop.
        ConfigError: neither a mask nor a known ``auto_mask``; a bad ``face_index``.
        MissingDependencyError: the detector's package is not installed.
    """
    from inpaintzoo.apis.inference import inpaint
    from inpaintzoo.face.detection import detect_faces

    photo = to_rgb_uint8(image, orientation)
    photo_hole = None
    if mask is not None:
        photo_hole = to_hole_mask(mask, mask_convention, orientation=orientation)
        check_same_size(photo, photo_hole, image, mask, orientation)
        photo_hole = (photo_hole > 0.5).astype(np.uint8) * np.uint8(255)
    elif auto_mask not in AUTO_MASKS:
        raise ConfigError(
            f'auto_mask must be one of {list(AUTO_MASKS)} when no mask is given, '
            f'got {auto_mask!r}'
        )
    faces = detect_faces(photo, backend=backend, upsample=upsample)
    index, face = choose_face(faces, face_index, photo.shape[:2], min_face)
    crop, alignment = align_face(photo, face.landmarks, crop_size)
    notes = []
    if photo_hole is None:
        margin_px = margin * crop_size / TEMPLATE_SIZE
        crop_hole = make_mask(
            auto_mask, alignment.to_crop(face.landmarks), crop_size, margin_px
        )
        photo_hole = mask_to_photo(crop_hole, alignment)
    else:
        crop_hole = mask_to_crop(photo_hole, alignment)
        if not crop_hole.any():
            raise InvalidMaskError(
                f'the mask has no hole inside the aligned crop of face {index} '
                f'{face.box}: draw the hole on the face (white = hole)'
            )
        outside = (photo_hole > 0) & (
            mask_to_photo(np.full_like(crop_hole, 255), alignment) == 0
        )
        if outside.any():
            notes.append(
                f'{int(outside.sum())} hole pixels lie outside the aligned face crop '
                'and were left unchanged'
            )
    res = inpaint(model, crop, crop_hole, return_raw=True)
    if res.note:
        notes.append(res.note)
    result = paste_back(photo, res.composite, photo_hole, alignment, feather)
    crop_lmk = res.landmarks
    return FaceInpaintResult(
        image=result,
        crop=crop,
        crop_result=res.composite,
        mask=photo_hole,
        crop_mask=crop_hole,
        landmarks=None if crop_lmk is None else alignment.to_photo(crop_lmk),
        crop_landmarks=crop_lmk,
        detected_landmarks=np.asarray(face.landmarks, np.float32),
        box=tuple(int(v) for v in face.box),
        face_index=index,
        alignment=alignment,
        note='; '.join(notes),
    )
