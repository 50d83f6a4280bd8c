"""Windows of the ``'crop'`` strategy around hole components.

8-connected hole components, each grown by a context factor around its centre,
intersecting windows merged (used by :mod:`inpaintzoo.apis.highres` and the
browser app's work estimate).
"""

import math

import numpy as np
from scipy import ndimage

from inpaintzoo.apis.highres_tiles import Box


def _grow(box: Box, context: float, min_side: int, height: int, width: int) -> Box:
    """Grow ``box`` around its centre and shift it inside the image."""
    top, bottom, left, right = box
    sides = []
    for lo, hi, limit in ((top, bottom, height), (left, right, width)):
        side = min(limit, max(math.ceil((hi - lo) * context), min_side))
        start = round((lo + hi - side) / 2)
        start = min(max(start, 0), limit - side)
        sides.append((start, start + side))
    return sides[0][0], sides[0][1], sides[1][0], sides[1][1]


def label_holes(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected hole components.

    Args:
        mask (np.ndarray): (H, W) bool, True = hole.

    Returns:
        tuple[np.ndarray, int]: (H, W) int labels (0 = known, 1..count) and count.
    """
    return ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))


def crop_windows(
    labels: np.ndarray, context: float = 2.0, min_side: int = 256
) -> list[tuple[Box, list[int]]]:
    """Context windows around hole components, intersecting windows merged.

    Each component's bounding box is grown ``context`` times around its centre
    (each side at least ``min_side``, at most the image) and shifted inside the
    image; windows that overlap or touch are replaced by their bounding box until
    no two do (by labelling the union of the windows, so thousands of specks stay
    cheap).

    Args:
        labels (np.ndarray): (H, W) int component labels from :func:`label_holes`.
        context (float): window side / component side. Defaults to 2.
        min_side (int): least window side (clipped to H, W). Defaults to 256.

    Returns:
        list[tuple[Box, list[int]]]: ``((top, bottom, left, right), labels)`` per
        window: the components it inpaints. Every component belongs to exactly
        one window and lies inside it; windows do not intersect.
    """
    height, width = labels.shape
    windows = []
    for label, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        box = (sl[0].start, sl[0].stop, sl[1].start, sl[1].stop)
        windows.append((_grow(box, context, min_side, height, width), [label]))
    while len(windows) > 1:
        canvas = np.zeros((height, width), dtype=bool)
        for (top, bottom, left, right), _ in windows:
            canvas[top:bottom, left:right] = True
        groups, count = ndimage.label(canvas)
        if count == len(windows):
            break  # every window is its own island
        members: dict[int, list[int]] = {}
        for (top, _, left, _), ids in windows:
            members.setdefault(int(groups[top, left]), []).extend(ids)
        windows = [
            ((sl[0].start, sl[0].stop, sl[1].start, sl[1].stop), sorted(members[g]))
            for g, sl in enumerate(ndimage.find_objects(groups), start=1)
        ]
    return windows
