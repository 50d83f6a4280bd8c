"""Synthetic motion blur: random camera-shake kernels applied to a sharp image.

A kernel is a short random trajectory (a walk whose heading drifts by a small
Gaussian turn each step) rasterised with bilinear splatting into a ``k x k``
grid and normalised to sum 1. Blurring is a 2-D filter with reflected borders.
Used by the demo config to make (blurred, sharp) pairs from sharp pictures
without downloads; real benchmarks (GoPro, HIDE) come as pairs.
"""

from collections.abc import Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.rank_rng import global_generator
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def odd_sizes(kernel_size: Sequence[int], where: str = 'kernel_size') -> np.ndarray:
    """The odd kernel sides within ``(min, max)``, both bounds included.

    Args:
        kernel_size (Sequence[int]): ``(min, max)`` side.
        where (str): how the error names the argument.

    Returns:
        np.ndarray: (n,) int64, ascending, n >= 1 (``(4, 8)`` -> ``[5, 7]``).

    Raises:
        ConfigError: not two integers with ``1 <= min <= max``, or no odd side
            between them (``(4, 4)``).
    """
    if (
        not isinstance(kernel_size, Sequence)
        or len(kernel_size) != 2
        or not all(_is_int(v) for v in kernel_size)
    ):
        raise ConfigError(
            f'{where} must be (min, max) integer sides, got {kernel_size!r}'
        )
    lo, hi = int(kernel_size[0]), int(kernel_size[1])
    if not 1 <= lo <= hi:
        raise ConfigError(
            f'{where} {kernel_size!r} must satisfy 1 <= min <= max (min, max sides)'
        )
    sizes = np.arange(lo | 1, hi + 1, 2)
    if sizes.size == 0:
        raise ConfigError(
            f'{where} {kernel_size!r} holds no odd side (kernels are odd, centred); '
            f'widen it, e.g. ({lo | 1}, {lo | 1})'
        )
    return sizes


def random_motion_kernel(
    rng: np.random.Generator,
    kernel_size: Sequence[int] = (7, 15),
    turn_std: float = 0.3,
) -> np.ndarray:
    """One random motion-blur kernel.

    Args:
        rng (np.random.Generator): randomness.
        kernel_size (Sequence[int]): (min, max) side; the side is drawn
            uniformly among the **odd** values in this range, bounds included
            (``(4, 8)``: 5 or 7). Defaults to (7, 15).
        turn_std (float): std (radians) of the heading change per step; 0 gives
            straight linear blur. Defaults to 0.3.

    Returns:
        np.ndarray: (k, k) float32, non-negative, sums to 1.

    Raises:
        ConfigError: ``kernel_size`` holds no odd side (:func:`odd_sizes`).
    """
    sizes = odd_sizes(kernel_size)
    k = int(sizes[rng.integers(sizes.size)])
    length = rng.uniform(0.5, 1.0) * (k - 1)
    steps = max(2, int(np.ceil(length * 2)))
    heading = rng.uniform(0.0, np.pi)
    turns = np.cumsum(rng.normal(0.0, turn_std, steps))
    step = length / steps
    xs = np.concatenate([[0.0], np.cumsum(step * np.cos(heading + turns))])
    ys = np.concatenate([[0.0], np.cumsum(step * np.sin(heading + turns))])
    xs += (k - 1) / 2 - (xs.max() + xs.min()) / 2  # centre the trajectory
    ys += (k - 1) / 2 - (ys.max() + ys.min()) / 2
    kernel = np.zeros((k, k), np.float64)
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    for dy, dx, w in (
        (0, 0, (1 - fx) * (1 - fy)),
        (0, 1, fx * (1 - fy)),
        (1, 0, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        yy, xx = np.clip(y0 + dy, 0, k - 1), np.clip(x0 + dx, 0, k - 1)
        np.add.at(kernel, (yy, xx), w)
    return (kernel / kernel.sum()).astype(np.float32)


def apply_kernel(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Blur an (H, W, 3) uint8 image with ``kernel``; reflected borders, rounded."""
    out = cv2.filter2D(
        img.astype(np.float32), -1, kernel, borderType=cv2.BORDER_REFLECT_101
    )
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@TRANSFORMS.register_module()
class RandomMotionBlur(BaseTransform):
    """Make ``img`` (blurred) from ``gt`` (sharp) with a random motion kernel.

    Required keys: ``gt`` (H, W, 3) uint8. Added keys: ``img`` (H, W, 3) uint8.

    Args:
        kernel_size (Sequence[int]): (min, max) kernel side; each kernel's side is
            one of the odd values in this range, drawn uniformly. Defaults to
            (7, 15).
        turn_std (float): heading drift per trajectory step (radians). Defaults
            to 0.3.
        seed (int, optional): with a seed, the kernel of sample ``sample_idx`` is
            fixed (the same on every epoch: val / test sets); without, numpy's
            global RNG draws a new kernel each time (training), a different one
            on every rank also with ``num_workers=0``. Defaults to None.
    """

    def __init__(
        self,
        kernel_size: Sequence[int] = (7, 15),
        turn_std: float = 0.3,
        seed: int | None = None,
    ) -> None:
        odd_sizes(kernel_size, 'RandomMotionBlur.kernel_size')
        if not 3 <= kernel_size[0] <= kernel_size[1]:
            raise ConfigError(
                f'RandomMotionBlur.kernel_size must be (min, max) with 3 <= min <= '
                f'max, got {kernel_size!r}'
            )
        if turn_std < 0:
            raise ConfigError(f'RandomMotionBlur.turn_std must be >= 0, got {turn_std}')
        self.kernel_size = (int(kernel_size[0]), int(kernel_size[1]))
        self.turn_std = float(turn_std)
        self.seed = seed

    def _rng(self, results: dict) -> np.random.Generator:
        if self.seed is None:  # global RNG, rank mixed in (as the mask sources)
            return global_generator(2**31)
        return np.random.default_rng(
            [int(self.seed), int(results.get('sample_idx', 0))]
        )

    def transform(self, results: dict) -> dict:
        """Blur ``results['gt']`` into ``results['img']``."""
        if results.get('gt') is None:
            raise ConfigError(
                "RandomMotionBlur needs results['gt'] (the sharp image); load it "
                'with LoadPairedImages first'
            )
        kernel = random_motion_kernel(
            self._rng(results), self.kernel_size, self.turn_std
        )
        results['img'] = apply_kernel(np.asarray(results['gt']), kernel)
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(kernel_size={self.kernel_size}, '
            f'turn_std={self.turn_std}, seed={self.seed})'
        )
