"""Align a detected face to the square crop NCLG-MT was trained on.

The training pictures are CelebA's *aligned* faces resized to 256 x 256. A photo's
face is brought into the same frame by the similarity transform (rotation,
uniform scale, translation; no reflection, no shear) that maps four anchor
points of its 68 landmarks (both eye centres and both mouth corners) onto
:data:`TEMPLATE_256` in the least-squares sense (Umeyama's closed form).

:data:`TEMPLATE_256` was measured, not assumed: dlib's 68-point predictor
(``inpaintzoo.face.detect_faces``, backend ``'dlib'``) was run on the four
aligned 256 x 256 CelebA faces of ``../shared/data/celeba_landmarks/images`` and
the anchors were averaged (per-point spread 0.5-3.8 px);
``tests/test_face/test_align.py`` re-derives it when dlib is installed. Other
crop sizes scale the template by ``size / 256``.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from inpaintzoo.utils.errors import InvalidLandmarksError

#: side of the crop the template is given for (the paper model's input size)
TEMPLATE_SIZE = 256
#: (x, y) of the anchors in a 256 x 256 aligned CelebA face, in anchor order:
#: subject's right eye centre (image left), left eye centre, right mouth corner
#: (point 48), left mouth corner (point 54)
TEMPLATE_256 = np.array(
    [[99.4, 133.9], [155.1, 133.7], [101.3, 191.0], [154.0, 190.3]], np.float64
)
#: 68-point indices averaged into each anchor (iBUG-300W order)
ANCHOR_GROUPS: tuple[tuple[int, ...], ...] = (
    tuple(range(36, 42)),  # right eye
    tuple(range(42, 48)),  # left eye
    (48,),  # right mouth corner
    (54,),  # left mouth corner
)


@dataclass(frozen=True)
class FaceAlignment:
    """A photo <-> aligned-crop mapping.

    Attributes:
        matrix (np.ndarray): (2, 3) float64 affine, photo (x, y) -> crop (x, y).
        inverse (np.ndarray): (2, 3) float64 affine, crop -> photo.
        size (int): side of the square crop in pixels.
        photo_shape (tuple[int, int]): ``(H, W)`` of the photo.
    """

    matrix: np.ndarray
    inverse: np.ndarray
    size: int
    photo_shape: tuple[int, int]

    @property
    def scale(self) -> float:
        """Crop pixels per photo pixel (> 1: the face is enlarged)."""
        return float(np.sqrt(abs(np.linalg.det(self.matrix[:, :2]))))

    def to_crop(self, points: np.ndarray) -> np.ndarray:
        """(K, 2) photo (x, y) -> (K, 2) crop (x, y), float32."""
        return transform_points(points, self.matrix)

    def to_photo(self, points: np.ndarray) -> np.ndarray:
        """(K, 2) crop (x, y) -> (K, 2) photo (x, y), float32."""
        return transform_points(points, self.inverse)


def check_landmarks(landmarks: np.ndarray) -> np.ndarray:
    """``landmarks`` as a finite (68, 2) float64 array, else InvalidLandmarksError."""
    arr = np.asarray(landmarks, dtype=np.float64)
    if arr.shape != (68, 2) or not np.isfinite(arr).all():
        raise InvalidLandmarksError(
            f'face landmarks must be a finite (68, 2) array of (x, y) pixels '
            f'(iBUG-300W order), got shape {arr.shape}'
        )
    return arr


def anchor_points(landmarks: np.ndarray) -> np.ndarray:
    """The four alignment anchors (4, 2) of (68, 2) landmarks (see ANCHOR_GROUPS)."""
    arr = check_landmarks(landmarks)
    return np.stack([arr[list(group)].mean(axis=0) for group in ANCHOR_GROUPS])


def template(size: int = TEMPLATE_SIZE) -> np.ndarray:
    """(4, 2) anchor template for a ``size`` x ``size`` crop."""
    return TEMPLATE_256 * (size / TEMPLATE_SIZE)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity ``src -> dst`` (Umeyama 1991, no reflection).

    Args:
        src (np.ndarray): (K, 2) points, K >= 2, not all equal.
        dst (np.ndarray): (K, 2) target points.

    Returns:
        np.ndarray: (2, 3) float64 ``[s R | t]`` with ``dst ~ s R src + t``.
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - mu_s, dst - mu_d
    var_s = (src_c**2).sum() / len(src)
    if var_s <= 1e-12:
        raise InvalidLandmarksError('alignment anchors coincide: not a face')
    cov = dst_c.T @ src_c / len(src)
    u, sig, vt = np.linalg.svd(cov)
    d = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rot = u @ d @ vt
    scale = float(np.trace(np.diag(sig) @ d)) / var_s
    trans = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, trans[:, None]])


def invert_affine(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a (2, 3) affine transform, (2, 3) float64."""
    full = np.vstack([np.asarray(matrix, np.float64), [0.0, 0.0, 1.0]])
    return np.linalg.inv(full)[:2]


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a (2, 3) affine to (K, 2) (x, y) points; (K, 2) float32."""
    pts = np.asarray(points, np.float64)
    return (pts @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def estimate_alignment(
    landmarks: np.ndarray, photo_shape: tuple[int, int], size: int = TEMPLATE_SIZE
) -> FaceAlignment:
    """The photo -> crop alignment of a face.

    Args:
        landmarks (np.ndarray): (68, 2) (x, y) photo pixels.
        photo_shape (tuple[int, int]): ``(H, W)`` of the photo.
        size (int): crop side. Defaults to 256.
    """
    matrix = similarity_transform(anchor_points(landmarks), template(size))
    return FaceAlignment(matrix, invert_affine(matrix), int(size), tuple(photo_shape))


def warp_to_crop(image: np.ndarray, alignment: FaceAlignment) -> np.ndarray:
    """The aligned (size, size, C) crop of ``image`` (bilinear; borders reflected).

    A face larger than the crop is first shrunk with area averaging (no
    aliasing); crop pixels that fall outside the photo are filled by reflecting
    the photo, so the network sees no black bars.
    """
    matrix = alignment.matrix
    src = np.ascontiguousarray(image)
    if alignment.scale < 1:
        h, w = src.shape[:2]
        new_w = max(1, round(w * alignment.scale))
        new_h = max(1, round(h * alignment.scale))
        src = cv2.resize(src, (new_w, new_h), interpolation=cv2.INTER_AREA)
        fx, fy = new_w / w, new_h / h
        # small pixel q = f * (p + 0.5) - 0.5  <=>  p = (q + 0.5) / f - 0.5
        to_photo = np.array(
            [[1 / fx, 0, 0.5 / fx - 0.5], [0, 1 / fy, 0.5 / fy - 0.5], [0, 0, 1]]
        )
        matrix = matrix @ to_photo
    return cv2.warpAffine(
        src,
        matrix,
        (alignment.size, alignment.size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT_101,
    )


def align_face(
    image: np.ndarray, landmarks: np.ndarray, size: int = TEMPLATE_SIZE
) -> tuple[np.ndarray, FaceAlignment]:
    """Crop and align a face like the training data.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB photo.
        landmarks (np.ndarray): (68, 2) (x, y) landmarks of the face, in photo
            pixels (from :func:`inpaintzoo.face.detect_faces`).
        size (int): side of the crop. Defaults to 256.

    Returns:
        tuple: ``(crop (size, size, 3) uint8, FaceAlignment)``; the alignment's
        ``matrix`` maps photo to crop, ``inverse`` crop to photo.
    """
    alignment = estimate_alignment(landmarks, image.shape[:2], size)
    return warp_to_crop(image, alignment), alignment
