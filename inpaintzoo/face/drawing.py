"""Pictures of the face workflow: landmarks drawn on a face, labelled panel rows."""

import cv2
import numpy as np

from inpaintzoo.cli.demo_figure import side_by_side

#: 68-point polylines drawn between landmarks: (indices, closed)
LANDMARK_CURVES: tuple[tuple[tuple[int, ...], bool], ...] = (
    (tuple(range(0, 17)), False),  # jaw
    (tuple(range(17, 22)), False),  # right brow
    (tuple(range(22, 27)), False),  # left brow
    (tuple(range(27, 31)), False),  # nose bridge
    (tuple(range(31, 36)), False),  # lower nose
    (tuple(range(36, 42)), True),  # right eye
    (tuple(range(42, 48)), True),  # left eye
    (tuple(range(48, 60)), True),  # outer lip
    (tuple(range(60, 68)), True),  # inner lip
)


def draw_landmarks(
    image: np.ndarray,
    landmarks: np.ndarray,
    color: tuple[int, int, int] = (0, 255, 0),
    radius: int | None = None,
) -> np.ndarray:
    """A copy of ``image`` with 68 landmarks drawn as dots joined by thin lines.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        landmarks (np.ndarray): (68, 2) (x, y) pixels; points outside the picture
            are clipped by the drawing (not moved).
        color (tuple[int, int, int]): RGB. Defaults to green.
        radius (int, optional): dot radius; defaults to ~1/200 of the shorter side.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.
    """
    out = np.ascontiguousarray(image, dtype=np.uint8).copy()
    h, w = out.shape[:2]
    r = radius if radius is not None else max(1, round(min(h, w) / 200))
    # fixed-point drawing (shift 4): sub-pixel positions, far points clamped
    pts = np.clip(np.nan_to_num(np.asarray(landmarks, np.float64)), -4 * w, 4 * w)
    fixed = np.round(pts * 16).astype(np.int32)
    for indices, closed in LANDMARK_CURVES:
        if max(indices) < len(fixed):
            cv2.polylines(
                out,
                [fixed[list(indices)]],
                closed,
                color,
                max(1, r // 2),
                cv2.LINE_AA,
                4,
            )
    for x, y in fixed:
        cv2.circle(out, (int(x), int(y)), r * 16, color, -1, cv2.LINE_AA, 4)
    return out


def panel_row(
    panels: list[tuple[str, np.ndarray]], max_height: int = 512
) -> np.ndarray:
    """Labelled panels side by side, each shrunk to at most ``max_height`` rows.

    Args:
        panels (list[tuple[str, np.ndarray]]): ``(label, image)``; images are
            (H, W, 3) or (H, W) uint8 of one size.
        max_height (int): panel height limit in pixels. Defaults to 512.

    Returns:
        np.ndarray: (16 + h, n * w + gaps, 3) uint8 RGB on white (labels on top).
    """
    height, width = panels[0][1].shape[:2]
    if height > max_height:
        size = (max(1, round(width * max_height / height)), max_height)
        panels = [
            (
                label,
                cv2.resize(
                    np.ascontiguousarray(img), size, interpolation=cv2.INTER_AREA
                ),
            )
            for label, img in panels
        ]
    return side_by_side(panels, scale=1)
