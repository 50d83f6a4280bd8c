"""Free-form masks: brush strokes plus boxes, optionally within a hole ratio."""

import math

import cv2
import numpy as np

from inpaintzoo.datasets.masks.base import BaseMaskSource
from inpaintzoo.datasets.masks.bucket import MASK_BUCKETS
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError

_MAX_SEGMENTS = 100_000


def _parse_ratio(hole_ratio: tuple[float, float] | str | None) -> tuple | None:
    if hole_ratio is None:
        return None
    if isinstance(hole_ratio, str):
        for label, low, high in MASK_BUCKETS:
            if label == hole_ratio:
                return low, high
        labels = [label for label, _, _ in MASK_BUCKETS]
        raise ConfigError(
            f'FreeFormMask: hole_ratio {hole_ratio!r} is not a bucket label {labels}'
        )
    low, high = (float(v) for v in hole_ratio)
    if not 0 <= low < high <= 1:
        raise ConfigError(
            f'FreeFormMask: hole_ratio must satisfy 0 <= low < high <= 1, '
            f'got {hole_ratio}'
        )
    return low, high


def _check_range(name: str, value: tuple, minimum: float) -> tuple:
    low, high = value
    if not minimum <= low <= high:
        raise ConfigError(
            f'FreeFormMask: {name} must be (low, high) with {minimum} <= low <= high, '
            f'got {value}'
        )
    return low, high


@TRANSFORMS.register_module()
class FreeFormMask(BaseMaskSource):
    """Random free-form brush strokes plus rectangles; 1 = hole.

    Each stroke is a polyline of random vertices (random direction, random
    segment length) drawn with a round brush of random width. Without
    ``hole_ratio`` a mask has 1..``max_strokes`` strokes and a random number of
    boxes. With ``hole_ratio=(low, high)`` (or a bucket label such as
    ``'20-40%'``) a target ratio is drawn uniformly in the range, the boxes are
    drawn, then stroke segments are added until the hole ratio reaches the
    target; a mask that overshoots ``high`` is redrawn (at most ``max_tries``
    times). Bounds follow the buckets: low exclusive, high
    inclusive. Pixel sizes are absolute, so scale them with the image size.

    Args:
        max_strokes (int): most strokes per mask (no ratio target). Defaults to 6.
        max_vertices (int): most vertices per stroke. Defaults to 12.
        max_length (float): longest segment, pixels. Defaults to 60.
        brush_width (tuple[int, int]): brush width range, pixels. Defaults to
            (10, 24).
        num_boxes (tuple[int, int]): range of the number of boxes. Defaults to
            (0, 2).
        box_size (tuple[float, float]): box side range as a fraction of the
            image side. Defaults to (0.1, 0.3).
        hole_ratio (tuple[float, float] | str, optional): target hole-ratio range
            or bucket label. Defaults to None.
        max_tries (int): redraws allowed to hit ``hole_ratio``. Defaults to 50.
        seed (int, optional): see :class:`BaseMaskSource`. Defaults to None.

    Raises:
        RuntimeError: when no mask within ``hole_ratio`` was drawn in
            ``max_tries`` attempts (stroke/box sizes too coarse for the range).
    """

    def __init__(
        self,
        max_strokes: int = 6,
        max_vertices: int = 12,
        max_length: float = 60,
        brush_width: tuple[int, int] = (10, 24),
        num_boxes: tuple[int, int] = (0, 2),
        box_size: tuple[float, float] = (0.1, 0.3),
        hole_ratio: tuple[float, float] | str | None = None,
        max_tries: int = 50,
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        if max_strokes < 1 or max_vertices < 2 or max_length <= 0 or max_tries < 1:
            raise ConfigError(
                'FreeFormMask: need max_strokes >= 1, max_vertices >= 2, '
                f'max_length > 0, max_tries >= 1; got {max_strokes}, '
                f'{max_vertices}, {max_length}, {max_tries}'
            )
        self.max_strokes = int(max_strokes)
        self.max_vertices = int(max_vertices)
        self.max_length = float(max_length)
        self.brush_width = _check_range('brush_width', tuple(brush_width), 1)
        self.num_boxes = _check_range('num_boxes', tuple(num_boxes), 0)
        self.box_size = _check_range('box_size', tuple(box_size), 0)
        self.hole_ratio = _parse_ratio(hole_ratio)
        self.max_tries = int(max_tries)

    def _boxes(self, canvas: np.ndarray, rng: np.random.Generator) -> None:
        height, width = canvas.shape
        for _ in range(int(rng.integers(self.num_boxes[0], self.num_boxes[1] + 1))):
            box_h = max(1, int(height * rng.uniform(*self.box_size)))
            box_w = max(1, int(width * rng.uniform(*self.box_size)))
            top = int(rng.integers(0, height - box_h + 1))
            left = int(rng.integers(0, width - box_w + 1))
            canvas[top : top + box_h, left : left + box_w] = 1

    def _segments(self, shape: tuple[int, int], rng: np.random.Generator):
        """Yield (p0, p1, width) segments of an endless sequence of strokes."""
        height, width = shape
        while True:
            brush = int(rng.integers(self.brush_width[0], self.brush_width[1] + 1))
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            for _ in range(int(rng.integers(1, self.max_vertices))):
                angle = rng.uniform(0, 2 * math.pi)
                length = rng.uniform(self.max_length / 4, self.max_length)
                nx = float(np.clip(x + length * math.cos(angle), 0, width - 1))
                ny = float(np.clip(y + length * math.sin(angle), 0, height - 1))
                yield (round(x), round(y)), (round(nx), round(ny)), brush
                x, y = nx, ny
            yield None  # end of stroke

    @staticmethod
    def _draw(canvas: np.ndarray, p0: tuple, p1: tuple, brush: int) -> None:
        cv2.line(canvas, p0, p1, 1, thickness=brush)
        cv2.circle(canvas, p1, brush // 2, 1, thickness=-1)

    def _attempt(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        canvas = np.zeros(shape, np.uint8)
        self._boxes(canvas, rng)
        segments = self._segments(shape, rng)
        if self.hole_ratio is None:
            strokes_left = int(rng.integers(1, self.max_strokes + 1))
            while strokes_left:
                seg = next(segments)
                if seg is None:
                    strokes_left -= 1
                else:
                    self._draw(canvas, *seg)
            return canvas
        low, high = self.hole_ratio
        target = max(float(rng.uniform(low, high)), low + 1e-6)
        for _ in range(_MAX_SEGMENTS):
            if canvas.mean() >= target:
                break
            seg = next(segments)
            if seg is not None:
                self._draw(canvas, *seg)
        return canvas

    def generate(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """Make one free-form mask, (H, W) float32, 1 = hole."""
        for _ in range(self.max_tries):
            canvas = self._attempt(shape, rng)
            ratio = float(canvas.mean())
            if self.hole_ratio is None or (
                self.hole_ratio[0] < ratio <= self.hole_ratio[1]
            ):
                return canvas.astype(np.float32)
        raise RuntimeError(
            f'FreeFormMask: no mask of size {shape} with hole ratio in '
            f'({self.hole_ratio[0]}, {self.hole_ratio[1]}] after {self.max_tries} '
            f'tries; lower brush_width/max_length/box_size (last ratio {ratio:.3f})'
        )

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(max_strokes={self.max_strokes}, '
            f'max_vertices={self.max_vertices}, max_length={self.max_length}, '
            f'brush_width={self.brush_width}, num_boxes={self.num_boxes}, '
            f'box_size={self.box_size}, hole_ratio={self.hole_ratio}, '
            f'seed={self.seed})'
        )
