"""The 68-point (iBUG-300W) face landmark layout and its one-line text files.

Point indices are 0-based, in the iBUG-300W / dlib / FAN order that the official
NCLG-MT landmark files use. **"Left" and "right" are the subject's own sides**
(dlib's naming): on a frontal, unmirrored photo the subject's right eye
(:data:`RIGHT_EYE`, points 36-41) is on the *image's left*.

=================  =======  ==============================================
group              indices  points
=================  =======  ==============================================
:data:`JAW`        0-16     jaw line, from the subject's right ear to the left
:data:`RIGHT_BROW` 17-21    right eyebrow, outer end to inner end
:data:`LEFT_BROW`  22-26    left eyebrow, inner end to outer end
:data:`NOSE`       27-35    bridge 27-30 (top to tip), lower nose 31-35
:data:`RIGHT_EYE`  36-41    36 outer corner, 39 inner corner
:data:`LEFT_EYE`   42-47    42 inner corner, 45 outer corner
:data:`OUTER_LIP`  48-59    48 right mouth corner, 54 left mouth corner
:data:`INNER_LIP`  60-67    60 right inner corner, 64 left inner corner
=================  =======  ==============================================

A landmark file holds one line of 136 numbers ``x0 y0 x1 y1 ... x67 y67`` in the
image's own pixel coordinates (x = column, y = row): the official NCLG-MT format,
written by ``tools/dataset_converters/prepare_landmarks.py``.
"""

import math
from pathlib import Path

import numpy as np

from inpaintzoo.utils.errors import DataNotFoundError, InvalidLandmarksError

NUM_POINTS_68 = 68

JAW: tuple[int, ...] = tuple(range(0, 17))
RIGHT_BROW: tuple[int, ...] = tuple(range(17, 22))
LEFT_BROW: tuple[int, ...] = tuple(range(22, 27))
NOSE_BRIDGE: tuple[int, ...] = tuple(range(27, 31))
LOWER_NOSE: tuple[int, ...] = tuple(range(31, 36))
NOSE: tuple[int, ...] = NOSE_BRIDGE + LOWER_NOSE
RIGHT_EYE: tuple[int, ...] = tuple(range(36, 42))
LEFT_EYE: tuple[int, ...] = tuple(range(42, 48))
OUTER_LIP: tuple[int, ...] = tuple(range(48, 60))
INNER_LIP: tuple[int, ...] = tuple(range(60, 68))
MOUTH: tuple[int, ...] = OUTER_LIP + INNER_LIP

#: outer eye corners (36 = right eye, 45 = left eye): the common 300W
#: inter-ocular normalisation of the NME
OUTER_EYE_CORNERS: tuple[int, int] = (36, 45)

#: index groups by name (for configs and drawing)
GROUPS_68: dict[str, tuple[int, ...]] = {
    'jaw': JAW,
    'right_brow': RIGHT_BROW,
    'left_brow': LEFT_BROW,
    'nose': NOSE,
    'right_eye': RIGHT_EYE,
    'left_eye': LEFT_EYE,
    'outer_lip': OUTER_LIP,
    'inner_lip': INNER_LIP,
}

#: index pairs that swap when a face is mirrored left-right (29 pairs; the
#: 10 points on the midline, 8 27 28 29 30 33 51 57 62 66, keep their index)
FLIP_PAIRS_68: tuple[tuple[int, int], ...] = (
    # jaw
    (0, 16), (1, 15), (2, 14), (3, 13), (4, 12), (5, 11), (6, 10), (7, 9),
    # eyebrows, outer to inner
    (17, 26), (18, 25), (19, 24), (20, 23), (21, 22),
    # lower nose (nostrils)
    (31, 35), (32, 34),
    # eyes: outer corners, upper lids, inner corners, lower lids
    (36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46),
    # outer lip: corners, upper lip, lower lip
    (48, 54), (49, 53), (50, 52), (55, 59), (56, 58),
    # inner lip
    (60, 64), (61, 63), (65, 67),
)  # fmt: skip

#: named flip-pair sets, so a config can say ``flip_pairs='face68'``
NAMED_FLIP_PAIRS: dict[str, tuple[tuple[int, int], ...]] = {'face68': FLIP_PAIRS_68}


def flip_permutation(pairs: tuple[tuple[int, int], ...], num_points: int) -> np.ndarray:
    """Index array that reorders points after a left-right mirror.

    Args:
        pairs (tuple[tuple[int, int], ...]): index pairs that swap.
        num_points (int): number of points K.

    Returns:
        np.ndarray: (K,) int64 ``perm`` with ``flipped = points[perm]``.
    """
    perm = np.arange(num_points)
    for a, b in pairs:
        perm[[a, b]] = perm[[b, a]]
    return perm


def check_landmarks(pts: np.ndarray, source: str) -> np.ndarray:
    """Return ``pts`` as (68, 2) float32, or raise naming ``source``.

    Args:
        pts (np.ndarray): 136 numbers or a (68, 2) array of (x, y).
        source (str): file or variable named in the error.

    Returns:
        np.ndarray: (68, 2) float32 (x, y).

    Raises:
        InvalidLandmarksError: wrong count or a NaN / infinite value.
    """
    arr = np.asarray(pts, dtype=np.float64)
    if arr.size != 2 * NUM_POINTS_68:
        raise InvalidLandmarksError(
            f'{source}: expected {2 * NUM_POINTS_68} numbers (68 points x, y in '
            f'iBUG-300W order), got {arr.size}; write it with '
            'tools/dataset_converters/prepare_landmarks.py'
        )
    arr = arr.reshape(NUM_POINTS_68, 2)
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        point, axis = (int(v) for v in bad[0])
        raise InvalidLandmarksError(
            f'{source}: {len(bad)} non-finite value(s), first at point {point} '
            f'{"xy"[axis]} = {arr[point, axis]}; re-run landmark detection for this '
            'image'
        )
    return arr.astype(np.float32)


def read_landmarks(path: str | Path) -> np.ndarray:
    """Read a one-line landmark file of 136 numbers ``x0 y0 ... x67 y67``.

    Numbers may be separated by any whitespace (or commas); one line is the
    format written, more lines are accepted.

    Args:
        path (str | Path): the ``.txt`` file.

    Returns:
        np.ndarray: (68, 2) float32 (x, y) pixels of the image it belongs to.

    Raises:
        DataNotFoundError: the file does not exist.
        InvalidLandmarksError: wrong count, a non-numeric token or a NaN /
            infinite value (the message names the file).
    """
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise DataNotFoundError(
            f'landmark file {path} does not exist; write the landmarks with '
            'tools/dataset_converters/prepare_landmarks.py'
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidLandmarksError(
            f'landmark file {path} cannot be read as text: {err}'
        ) from None
    values = []
    for i, token in enumerate(text.replace(',', ' ').split()):
        try:
            values.append(float(token))
        except ValueError:
            raise InvalidLandmarksError(
                f'landmark file {path}: token {i} {token[:40]!r} is not a number '
                '(expected 136 numbers x0 y0 ... x67 y67)'
            ) from None
    return check_landmarks(np.array(values), f'landmark file {path}')


def write_landmarks(path: str | Path, pts: np.ndarray) -> Path:
    """Write (68, 2) (x, y) points as one line ``x0 y0 x1 y1 ... x67 y67``.

    Numbers are written with ``repr`` of float32 values, so
    :func:`read_landmarks` returns them bit-identical. Parent folders are created.

    Args:
        path (str | Path): output ``.txt`` file.
        pts (np.ndarray): (68, 2) or (136,) (x, y) pixels.

    Returns:
        Path: the written file.

    Raises:
        InvalidLandmarksError: wrong count or a NaN / infinite value.
    """
    path = Path(path)
    arr = check_landmarks(pts, f'landmarks for {path}')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(' '.join(repr(float(v)) for v in arr.reshape(-1)) + '\n')
    return path


def eye_centres(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres (mean of the six points) of the right and left eye.

    Args:
        pts (np.ndarray): (..., 68, 2) (x, y).

    Returns:
        tuple[np.ndarray, np.ndarray]: right and left eye centres, (..., 2) each.
    """
    pts = np.asarray(pts)
    return pts[..., RIGHT_EYE, :].mean(-2), pts[..., LEFT_EYE, :].mean(-2)


def inter_ocular_distance(pts: np.ndarray, definition: str = 'outer_corners') -> float:
    """Distance between the eyes of one face.

    Args:
        pts (np.ndarray): (68, 2) (x, y).
        definition (str): ``'outer_corners'`` (points 36 and 45, the common
            300W normalisation) or ``'pupils'`` (eye centres, means of the six
            eye points each).

    Returns:
        float: the distance in pixels.
    """
    pts = np.asarray(pts, dtype=np.float64)
    if definition == 'outer_corners':
        a, b = pts[OUTER_EYE_CORNERS[0]], pts[OUTER_EYE_CORNERS[1]]
    elif definition == 'pupils':
        a, b = eye_centres(pts)
    else:
        raise ValueError(
            "inter-ocular definition must be 'outer_corners' or 'pupils', got "
            f'{definition!r}'
        )
    return math.hypot(float(a[0] - b[0]), float(a[1] - b[1]))
