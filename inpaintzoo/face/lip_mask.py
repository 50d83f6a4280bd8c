"""An automatic hole over the upper lip and the nostrils, from 68 landmarks.

A cleft lip runs from the upper lip into the nostril, so the hole covers the
convex hull of the lower nose (points 31-35: nostril wings and columella base),
the upper outer lip (48-54) and the upper inner lip (60-64), grown by ``margin``
pixels (Euclidean distance) to reach the nostril openings and the skin around
the cleft. The lower lip, the nose bridge and the eyes stay known. The margin is
in pixels of the aligned 256 x 256 crop (:mod:`inpaintzoo.face.align`), so it
means the same on every photo.
"""

import cv2
import numpy as np

from inpaintzoo.face.align import check_landmarks
from inpaintzoo.utils.errors import ConfigError

#: 68-point indices whose hull is the un-grown hole (iBUG-300W order)
LIP_MASK_POINTS: tuple[int, ...] = (
    *range(31, 36),  # lower nose: nostril wings and the columella base
    *range(48, 55),  # upper outer lip, mouth corner to mouth corner
    *range(60, 65),  # upper inner lip
)
#: default growth of the hull, pixels of the 256 x 256 aligned crop
DEFAULT_MARGIN = 8
#: auto-mask kinds :func:`auto_mask` knows
AUTO_MASKS = ('lip',)


def lip_mask(
    landmarks: np.ndarray, size: int | tuple[int, int], margin: float = DEFAULT_MARGIN
) -> np.ndarray:
    """Hole over the upper lip and nostrils.

    Args:
        landmarks (np.ndarray): (68, 2) (x, y) pixels in the mask's frame
            (normally the aligned crop).
        size (int | tuple[int, int]): mask side, or ``(H, W)``.
        margin (float): growth of the hull in pixels, >= 0. Defaults to 8.

    Returns:
        np.ndarray: (H, W) uint8, 255 = hole (white-hole convention).

    Raises:
        ConfigError: a negative margin.
        InvalidLandmarksError: landmarks that are not a finite (68, 2) array.
    """
    if not margin >= 0:
        raise ConfigError(f'lip mask margin must be >= 0 pixels, got {margin!r}')
    pts = check_landmarks(landmarks)[list(LIP_MASK_POINTS)]
    h, w = (size, size) if isinstance(size, int) else size
    # draw on a 4x finer grid (cv2 fills on integer vertices) and average down
    fine = np.zeros((h * 4, w * 4), np.uint8)
    hull = cv2.convexHull(np.round((pts + 0.5) * 4 - 0.5).astype(np.int32))
    cv2.fillConvexPoly(fine, hull, 255)
    inside = cv2.resize(fine, (w, h), interpolation=cv2.INTER_AREA) >= 128
    if margin > 0:
        # distance of every pixel to the nearest hull pixel
        dist = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 5)
        inside = dist <= margin
    return inside.astype(np.uint8) * np.uint8(255)


def auto_mask(
    kind: str,
    landmarks: np.ndarray,
    size: int | tuple[int, int],
    margin: float = DEFAULT_MARGIN,
) -> np.ndarray:
    """An automatic hole of ``kind`` (:data:`AUTO_MASKS`); see :func:`lip_mask`."""
    if kind != 'lip':
        raise ConfigError(
            f'unknown auto mask {kind!r}; choose one of {list(AUTO_MASKS)}'
        )
    return lip_mask(landmarks, size, margin)
