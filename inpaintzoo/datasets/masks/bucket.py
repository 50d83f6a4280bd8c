"""Hole-ratio buckets of the NVIDIA irregular-mask test protocol.

The thesis tables report metrics per bucket of hole ratio: 0.01–20 %, 20–40 %,
40–60 % (and 60–100 % for completeness). A bucket's lower bound is exclusive and
its upper bound inclusive, so a ratio of exactly 0.2 falls in ``'0.01-20%'``.

The lowest bucket's real lower bound is 0, not 0.01 %: any mask with at least
one hole pixel has a bucket (a 1-pixel hole in 256² is ``'0.01-20%'``). The
``0.01`` of the label copies the NVIDIA mask-set categories; the official test
scripts compute no bucket (one mask folder per bucket, chosen by hand), so no
small-hole cut-off exists to reproduce. A ratio of 0 (no hole) has no bucket.

The hole ratio is ``count_nonzero(mask) / mask.size`` in float64
(:func:`hole_ratio`): a float32 mean lands just above 0.2 for a mask that is
exactly 20 % hole (e.g. 100×100) and would move it into the next bucket.
"""

import math

import numpy as np
import torch

MASK_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ('0.01-20%', 0.0, 0.2),
    ('20-40%', 0.2, 0.4),
    ('40-60%', 0.4, 0.6),
    ('60-100%', 0.6, 1.0),
)
BUCKET_LABELS: tuple[str, ...] = tuple(label for label, _, _ in MASK_BUCKETS)


def ratio_to_bucket(ratio: float) -> str | None:
    """Return the bucket label of a hole ratio.

    Args:
        ratio (float): fraction of hole pixels in [0, 1].

    Returns:
        str | None: the label, e.g. ``'20-40%'``; ``None`` when ``ratio`` is 0.

    Raises:
        ValueError: if ``ratio`` lies outside [0, 1] or is NaN.
    """
    ratio = float(ratio)
    if not 0.0 <= ratio <= 1.0:  # also rejects NaN
        raise ValueError(f'hole ratio must lie in [0, 1], got {ratio}')
    for label, low, high in MASK_BUCKETS:
        if low < ratio <= high:
            return label
    return None


def hole_ratio(mask: np.ndarray | torch.Tensor) -> float:
    """Exact fraction of hole pixels, ``count_nonzero / size`` in float64.

    Args:
        mask (np.ndarray | Tensor): (H, W) or (1, H, W), any dtype; any
            non-zero value is a hole (1 = hole, 0 = known).

    Returns:
        float: the hole ratio in [0, 1]; NaN for an empty array.
    """
    if torch.is_tensor(mask):
        count, size = int(torch.count_nonzero(mask)), mask.numel()
    else:
        mask = np.asarray(mask)
        count, size = int(np.count_nonzero(mask)), mask.size
    return float(np.float64(count) / np.float64(size)) if size else float('nan')


def mask_bucket(mask: np.ndarray | torch.Tensor) -> str | None:
    """Return the bucket label of a binary mask.

    Args:
        mask (np.ndarray | Tensor): (H, W) or (1, H, W), 1 = hole, 0 = known.

    Returns:
        str | None: the bucket label of :func:`hole_ratio`; ``None`` if no hole
        (or an empty array).
    """
    ratio = hole_ratio(mask)
    return None if math.isnan(ratio) else ratio_to_bucket(ratio)
