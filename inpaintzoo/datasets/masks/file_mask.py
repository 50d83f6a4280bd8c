"""Random mask files per fetch: the official training mask mode 3."""

import numpy as np

from inpaintzoo.datasets.file_list import list_source
from inpaintzoo.datasets.masks.base import BaseMaskSource
from inpaintzoo.datasets.transforms.functional import (
    MaskInterpolation,
    center_crop,
    read_mask,
    resize_mask,
    resize_mask_values,
)
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.mask import MaskConvention, binarize_mask
from inpaintzoo.utils.mask_io import read_mask_values


@TRANSFORMS.register_module()
class RandomMaskFromFiles(BaseMaskSource):
    """Pick a random mask file per fetch, centre-crop, resize, binarise.

    As the official mode 3: a non-square mask is centre-cropped to a square,
    resized to the image size and binarised with the documented rule.

    Args:
        mask_source (str): folder (recursive) or ``.flist`` of mask files.
        convention (str): ``'white_hole'`` or ``'black_hole'``. Defaults to
            ``'white_hole'``.
        threshold (float): binarisation threshold. Defaults to 0.
        seed (int, optional): see :class:`BaseMaskSource`. Defaults to None.
        interpolation (str): ``'nearest'`` or ``'bicubic'`` (the official
            resize, which grows holes slightly). Defaults to ``'nearest'``.
        threshold_after_resize (bool): False (default): binarise at the file's
            size, then resize the binary mask and take ``> 0`` again. True (the
            official mode 3): resize the grey values, then binarise them; the
            two differ only for masks with grey (anti-aliased) edges.
            Defaults to False.
    """

    def __init__(
        self,
        mask_source: str,
        convention: MaskConvention = 'white_hole',
        threshold: float = 0,
        seed: int | None = None,
        interpolation: MaskInterpolation = 'nearest',
        threshold_after_resize: bool = False,
    ) -> None:
        super().__init__(seed)
        if convention not in ('white_hole', 'black_hole'):
            raise ConfigError(
                "RandomMaskFromFiles: convention must be 'white_hole' or "
                f"'black_hole', got {convention!r}"
            )
        if interpolation not in ('nearest', 'bicubic'):
            raise ConfigError(
                "RandomMaskFromFiles: interpolation must be 'nearest' or "
                f"'bicubic', got {interpolation!r}"
            )
        self.mask_source = mask_source
        self.mask_paths = list_source(mask_source)
        self.convention = convention
        self.threshold = threshold
        self.interpolation = interpolation
        self.threshold_after_resize = bool(threshold_after_resize)

    def pick(self, rng: np.random.Generator) -> str:
        """Return a random mask path."""
        return self.mask_paths[int(rng.integers(len(self.mask_paths)))]

    def generate(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """Read a random mask file and fit it to ``shape`` (H, W).

        Returns:
            np.ndarray: (H, W) float32 in {0, 1}, 1 = hole.
        """
        path = self.pick(rng)
        if self.threshold_after_resize:
            values = center_crop(read_mask_values(path))
            values = resize_mask_values(values, shape, self.interpolation)
            return binarize_mask(values, self.convention, self.threshold)
        mask = read_mask(path, self.convention, self.threshold)
        return resize_mask(center_crop(mask), shape, self.interpolation)

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(mask_source={self.mask_source!r}, '
            f'n_masks={len(self.mask_paths)}, convention={self.convention!r}, '
            f'threshold={self.threshold}, seed={self.seed}, '
            f'interpolation={self.interpolation!r}, '
            f'threshold_after_resize={self.threshold_after_resize})'
        )
