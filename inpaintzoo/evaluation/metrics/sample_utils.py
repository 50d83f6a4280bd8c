"""Helpers shared by the metrics: read a sample dict, find its bucket, group."""

from collections.abc import Iterable, Sequence

import numpy as np
import torch

OVERALL = 'overall'


def _bucket_labels() -> tuple[str, ...]:
    from inpaintzoo.datasets.masks.bucket import BUCKET_LABELS

    return BUCKET_LABELS


def get_tensor(sample: dict, key: str) -> torch.Tensor:
    """Return ``sample[key]`` as a float tensor, with a clear error if missing.

    Args:
        sample (dict): a data sample converted with ``.to_dict()``.
        key (str): field name, e.g. ``'pred_img'``.

    Returns:
        Tensor: the field as float32 (device unchanged).
    """
    if key not in sample or sample[key] is None:
        raise KeyError(
            f'data sample has no {key!r}; got keys {sorted(sample)}. Metrics need '
            "'pred_img' (3, H, W), 'gt_img' (3, H, W) and 'mask' (1, H, W)."
        )
    value = sample[key]
    if not torch.is_tensor(value):
        value = torch.as_tensor(np.asarray(value))
    return value.float()


def check_unit_range(img: torch.Tensor, key: str) -> None:
    """Reject images that are clearly not in [0, 1] (e.g. [0, 255] images).

    Args:
        img (Tensor): (3, H, W) float image.
        key (str): its field name, for the message.
    """
    if img.numel() and float(img.max()) > 2.0:
        raise ValueError(
            f'{key!r} must be float in [0, 1], got max {float(img.max()):.4g}; '
            'divide [0, 255] images by 255'
        )


def sample_bucket(sample: dict, mask: torch.Tensor | None = None) -> str | None:
    """Bucket label of a sample: ``mask_bucket`` metadata, else the hole ratio.

    Args:
        sample (dict): data sample dict; ``mask_bucket`` is used when set.
        mask (Tensor, optional): (1, H, W), 1 = hole; defaults to
            ``sample['mask']``.

    Returns:
        str | None: e.g. ``'20-40%'``; ``None`` for a mask without holes.
    """
    bucket = sample.get('mask_bucket')
    if bucket:
        return str(bucket)
    from inpaintzoo.datasets.masks.bucket import ratio_to_bucket

    if mask is None:
        mask = get_tensor(sample, 'mask')
    return ratio_to_bucket(float(mask.float().mean()))


def group_by_bucket(results: Sequence[dict]) -> dict[str, list[dict]]:
    """Group per-sample results by their ``'bucket'`` entry.

    Args:
        results (Sequence[dict]): per-sample dicts with a ``'bucket'`` key.

    Returns:
        dict[str, list[dict]]: ``'overall'`` (all samples) first, then the known
        buckets in :data:`MASK_BUCKETS` order, then any other labels; buckets
        without samples are omitted.
    """
    groups: dict[str, list[dict]] = {OVERALL: list(results)}
    labels = list(_bucket_labels())
    extra = sorted({r['bucket'] for r in results if r['bucket']} - set(labels))
    for label in labels + extra:
        rows = [r for r in results if r['bucket'] == label]
        if rows:
            groups[label] = rows
    return groups


def metric_key(name: str, group: str) -> str:
    """Flat metric key: ``'PSNR'`` overall, ``'PSNR_20-40%'`` for a bucket."""
    return name if group == OVERALL else f'{name}_{group}'


def bucketed_means(results: Sequence[dict], names: Iterable[str]) -> dict[str, float]:
    """Mean of per-sample values, overall and per bucket, with flat keys.

    Args:
        results (Sequence[dict]): per-sample dicts holding ``'bucket'`` and one
            float per metric name.
        names (Iterable[str]): metric names, e.g. ``('PSNR', 'SSIM')``.

    Returns:
        dict[str, float]: e.g. ``{'PSNR': ..., 'PSNR_0.01-20%': ...}``.
    """
    names = list(names)
    out: dict[str, float] = {}
    if not results:
        return out
    for group, rows in group_by_bucket(results).items():
        for name in names:
            out[metric_key(name, group)] = float(np.mean([r[name] for r in rows]))
    return out
