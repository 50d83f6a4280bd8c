"""Helpers shared by the metrics: read a sample dict, find its bucket, group, count."""

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import torch
from mmengine.logging import print_log

OVERALL = 'overall'
#: result key of the number of images behind a group's means: ``images`` (overall),
#: ``images_20-40%`` (a bucket). Not a metric: the report keeps it apart.
IMAGES_KEY = 'images'
#: result key of the number of images left out of every mean because their mask has
#: no hole (each would score PSNR 100, SSIM 1, L1 0 and pull "overall" up).
EXCLUDED_EMPTY_KEY = 'excluded_empty_mask'
#: per-sample record of an image excluded for an empty mask (no scores computed).
EXCLUDED_ROW = {'excluded': 'empty_mask'}


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


#: most negative value accepted in a [0, 1] image (float rounding, resampling
#: overshoot); images in [-1, 1] lie far below it.
UNIT_RANGE_LOW = -0.01


def sample_name(sample: dict) -> str:
    """How messages name a sample: its ``img_path``, else ``sample <idx>``."""
    if sample.get('img_path'):
        return str(sample['img_path'])
    idx = sample.get('sample_idx')
    return 'a sample without img_path' if idx is None else f'sample {idx}'


def check_finite(values: torch.Tensor, key: str, name: str = 'sample') -> None:
    """Reject NaN or Inf values (a diverged run, an fp16 overflow).

    Args:
        values (Tensor): any shape, e.g. (3, H, W) image or (68, 2) points.
        key (str): field name, for the message.
        name (str): the sample (image path), for the message.

    Raises:
        ValueError: with the number of NaN and Inf values.
    """
    finite = torch.isfinite(values)
    if not bool(finite.all()):
        n_nan = int(torch.isnan(values).sum())
        n_inf = int((~finite).sum()) - n_nan
        hint = (
            'the model output is not finite (diverged weights or a mixed-precision '
            'overflow?)'
            if key.startswith('pred')
            else 'check the ground-truth data'
        )
        raise ValueError(
            f'{name}: {key!r} has {n_nan} NaN and {n_inf} Inf value(s) of '
            f'{values.numel()}; {hint}, so it cannot be scored'
        )


def check_unit_range(img: torch.Tensor, key: str, name: str = 'sample') -> None:
    """Reject images that are not finite floats in about [0, 1].

    Accepts values in [:data:`UNIT_RANGE_LOW`, 2]; rejects NaN/Inf (see
    :func:`check_finite`), [0, 255] images (max > 2) and [-1, 1] images
    (min < :data:`UNIT_RANGE_LOW`).

    Args:
        img (Tensor): (3, H, W) float image.
        key (str): its field name, for the message.
        name (str): the sample (image path), for the message.

    Raises:
        ValueError: naming the sample, the key and the offending values.
    """
    if not img.numel():
        return
    check_finite(img, key, name)
    low, high = float(img.min()), float(img.max())
    if high > 2.0:
        raise ValueError(
            f'{name}: {key!r} must be float in [0, 1], got max {high:.4g}; '
            'divide [0, 255] images by 255'
        )
    if low < UNIT_RANGE_LOW:
        n_neg = int((img < UNIT_RANGE_LOW).sum())
        raise ValueError(
            f'{name}: {key!r} must be float in [0, 1], got min {low:.4g} '
            f'({n_neg} value(s) below {UNIT_RANGE_LOW}); map [-1, 1] images with '
            '(x + 1) / 2'
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
    from inpaintzoo.datasets.masks.bucket import mask_bucket

    if mask is None:
        mask = get_tensor(sample, 'mask')
    return mask_bucket(mask)


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


def has_hole(mask: torch.Tensor) -> bool:
    """Whether a mask marks at least one hole pixel.

    Args:
        mask (Tensor): (1, H, W) or (H, W), 1 = hole, 0 = known.

    Returns:
        bool: False for an all-known mask (hole ratio 0, no bucket).
    """
    return bool((mask > 0).any())


def split_excluded(results: Sequence[dict]) -> tuple[list[dict], int]:
    """Separate scored per-sample records from :data:`EXCLUDED_ROW` records.

    Args:
        results (Sequence[dict]): the metric's collected records.

    Returns:
        tuple[list[dict], int]: the scored records and the number excluded.
    """
    scored = [r for r in results if 'excluded' not in r]
    return scored, len(results) - len(scored)


def image_counts(scored: Sequence[dict], n_excluded: int) -> dict[str, int]:
    """Count keys for the results: images per group and images excluded.

    Args:
        scored (Sequence[dict]): scored records with a ``'bucket'`` entry.
        n_excluded (int): records left out for an empty mask.

    Returns:
        dict[str, int]: ``{'images': n, 'images_0.01-20%': k, ...,
        'excluded_empty_mask': m}``; groups as in :func:`group_by_bucket`.
    """
    counts = {IMAGES_KEY: len(scored)}
    if scored:
        for group, rows in group_by_bucket(scored).items():
            counts[metric_key(IMAGES_KEY, group)] = len(rows)
    counts[EXCLUDED_EMPTY_KEY] = n_excluded
    return counts


def log_empty_masks(metric: str, scored: Sequence[dict], n_excluded: int) -> None:
    """Log one line on images whose mask has no hole, if there are any.

    Args:
        metric (str): the metric's class name, for the message.
        scored (Sequence[dict]): scored records; those with ``empty=True``
            were included on request (``include_empty_masks=True``).
        n_excluded (int): records left out of every mean.
    """
    n_included = sum(1 for r in scored if r.get('empty'))
    if n_excluded:
        nothing_left = '' if scored else ' (no image is left, so no value is reported)'
        print_log(
            f'{metric}: {n_excluded} of {n_excluded + len(scored)} images have a '
            'mask with no hole and are excluded from every mean (each would '
            'score a perfect PSNR 100 / SSIM 1 / L1 0); their count is '
            f'"{EXCLUDED_EMPTY_KEY}"{nothing_left}. Check the mask files and mask '
            'convention, or set include_empty_masks=True to include them',
            logger='current',
            level=logging.WARNING,
        )
    if n_included:
        print_log(
            f'{metric}: {n_included} of {len(scored)} images have a mask with no '
            'hole and are included in "overall" (include_empty_masks=True; each '
            'scores a perfect value) but in no bucket',
            logger='current',
            level=logging.WARNING,
        )
