"""Common base of the mask-source transforms: randomness and result keys."""

import numpy as np
from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.masks.bucket import mask_bucket
from inpaintzoo.datasets.rank_rng import global_generator


class BaseMaskSource(BaseTransform):
    """A transform that writes ``results['mask']`` (H, W) float32, 1 = hole.

    Randomness comes from a ``numpy.random.Generator``: with a ``seed`` it is
    ``default_rng([seed, sample_idx])``, so a sample's mask depends only on
    (seed, ``results['sample_idx']``) and not on worker or fetch order (test
    masks); without a seed each call seeds a generator from numpy's global RNG,
    which MMEngine seeds from ``randomness.seed`` (per dataloader worker), so
    training runs are reproducible and resume replays the same masks; in the
    main process (``num_workers=0``) of rank > 0 the rank is mixed in, so ranks
    draw different masks (:func:`~inpaintzoo.datasets.rank_rng.global_generator`).
    If a seed is given but the results carry no ``sample_idx``, a generator
    seeded once with ``seed`` is used in call order.

    Required keys: ``img`` (or ``img_shape``). Added keys: ``mask``, and
    ``mask_bucket`` when it is not set yet.

    Args:
        seed (int, optional): base seed. Defaults to None.
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (not isinstance(seed, int) or seed < 0):
            raise ValueError(f'seed must be a non-negative int or None, got {seed!r}')
        self.seed = seed
        self._sequential_rng = np.random.default_rng(seed)

    def rng_for(self, sample_idx: int | None) -> np.random.Generator:
        """Return the generator for one sample (see the class docstring)."""
        if self.seed is None:
            # global RNG: seeded by MMEngine per worker, replayed on resume, rank mixed
            return global_generator(2**31 - 1)
        if sample_idx is None:
            return self._sequential_rng
        return np.random.default_rng([self.seed, int(sample_idx)])

    def generate(self, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        """Make one mask.

        Args:
            shape (tuple[int, int]): (H, W).
            rng (np.random.Generator): source of randomness.

        Returns:
            np.ndarray: (H, W) float32 in {0, 1}, 1 = hole.
        """
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        """Write ``mask`` (and ``mask_bucket``) for the image in ``results``."""
        img = results.get('img')
        shape = img.shape[:2] if img is not None else results.get('img_shape')
        if shape is None:
            raise KeyError(
                f'{type(self).__name__} needs results["img"] or results["img_shape"]; '
                'place it after LoadImage'
            )
        rng = self.rng_for(results.get('sample_idx'))
        mask = self.generate((int(shape[0]), int(shape[1])), rng)
        results['mask'] = mask
        if results.get('mask_bucket') is None:
            results['mask_bucket'] = mask_bucket(mask)
        return results
