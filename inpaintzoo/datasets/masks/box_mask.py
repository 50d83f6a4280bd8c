"""Square block masks: the official mask modes 1 (random) and 2 (centred)."""

from typing import Literal

import numpy as np

from inpaintzoo.datasets.masks.base import BaseMaskSource
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError


@TRANSFORMS.register_module()
class BoxMask(BaseMaskSource):
    """A rectangular hole of size (H * size_ratio, W * size_ratio).

    Official mode 1 is ``mode='random'`` (uniform position), mode 2 is
    ``mode='center'``; both use ``size_ratio=0.5``.

    Args:
        mode (str): ``'random'`` or ``'center'``. Defaults to ``'random'``.
        size_ratio (float): box side as a fraction of the image side, in (0, 1].
            Defaults to 0.5.
        seed (int, optional): see :class:`BaseMaskSource`. Defaults to None.
    """

    def __init__(
        self,
        mode: Literal['random', 'center'] = 'random',
        size_ratio: float = 0.5,
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        if mode not in ('random', 'center'):
            raise ConfigError(
                f"BoxMask: mode must be 'random' or 'center', got {mode!r}"
            )
        if not 0 < size_ratio <= 1:
            raise ConfigError(
                f'BoxMask: size_ratio must be in (0, 1], got {size_ratio}'
            )
        self.mode = mode
        self.size_ratio = size_ratio

    def generate(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """Make one box mask, (H, W) float32, 1 = hole."""
        height, width = shape
        box_h = max(1, int(height * self.size_ratio))
        box_w = max(1, int(width * self.size_ratio))
        if self.mode == 'center':
            top, left = (height - box_h) // 2, (width - box_w) // 2
        else:
            top = int(rng.integers(0, height - box_h + 1))
            left = int(rng.integers(0, width - box_w + 1))
        mask = np.zeros(shape, np.float32)
        mask[top : top + box_h, left : left + box_w] = 1
        return mask

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(mode={self.mode!r}, '
            f'size_ratio={self.size_ratio}, seed={self.seed})'
        )
