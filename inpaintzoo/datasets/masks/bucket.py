"""Hole-ratio buckets of the NVIDIA irregular-mask test protocol.

The thesis tables report metrics per bucket of hole ratio: 0.01–20 %, 20–40 %,
40–60 % (and 60–100 % for completeness). A bucket's lower bound is exclusive and
its upper bound inclusive, so a ratio of exactly 0.2 falls in ``'0.01-20%'``. A
ratio of 0 (no hole) has no bucket.
"""

import numpy as np

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


def mask_bucket(mask: np.ndarray) -> str | None:
    """Return the bucket label of a binary mask.

    Args:
        mask (np.ndarray): (H, W) float, 1 = hole, 0 = known.

    Returns:
        str | None: the bucket label of ``mask.mean()``; ``None`` if no hole.
    """
    return ratio_to_bucket(float(np.mean(mask))) if np.size(mask) else None
