"""Score saved results of any method against GT images and masks on disk.

The files are paired by stem (masks optionally cyclically, as the official test
does) and fed, as sample dicts, through the same metric classes the test loop
uses, so numbers and buckets are the same. Every file is read with the shared
reader (:mod:`inpaintzoo.utils.image_io`): EXIF orientation ignored, truncated
files refused. Nothing is dropped silently: folders that do not pair up are an
error unless allowed, and images whose mask has no hole are excluded and listed.
"""

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from mmengine.evaluator import Evaluator
from mmengine.utils import ProgressBar

from inpaintzoo.utils.errors import (
    ConfigError,
    FolderPairingError,
    InvalidImageError,
    InvalidMaskError,
)
from inpaintzoo.utils.image_io import check_min_size
from inpaintzoo.utils.mask import MaskConvention

from .feature_extractors import find_weights
from .folder_io import (
    list_images,
    match_stems,
    pair_masks_cyclically,
    read_mask,
    read_rgb,
)
from .metrics import FIDMetric, InpaintingMetric, LPIPSMetric
from .metrics.sample_utils import sample_bucket
from .per_image import PerImageRecorder, mask_ratio
from .report import OVERALL, metrics_to_report

BASIC_METRICS = ('PSNR', 'SSIM', 'L1')
ALL_METRICS = (*BASIC_METRICS, 'LPIPS', 'FID')
FID_DEFAULT = 'pt_inception-2015-12-05'
#: scikit-image's default SSIM window is 7x7, so SSIM needs images of 7x7 or more.
SSIM_MIN_SIDE = 7
SSIM_NEEDS = (
    "SSIM (scikit-image's 7x7 window; leave SSIM out of --metrics to score "
    'smaller images)'
)
#: ``FolderResult.excluded`` key of images whose mask has no hole pixel.
EMPTY_MASK = 'empty_mask'
#: What each ``FolderResult.excluded`` reason means, for printed reports.
EXCLUSION_REASONS = {EMPTY_MASK: 'mask has no hole (it would score PSNR 100)'}
MaskPairing = Literal['stem', 'cyclic']
FOLDER_LABELS = {'pred': 'predictions', 'gt': 'ground truths', 'mask': 'masks'}


@dataclass
class FolderResult:
    """Outcome of :func:`evaluate_folder`.

    Attributes:
        report (dict): nested ``{group: {metric: value}}``.
        num_images (int): number of images scored (in the overall means).
        unmatched (dict): ``{'pred'|'gt'|'mask': [stems]}`` left out (only
            with ``allow_unmatched=True``; otherwise unmatched stems raise).
        skipped (list): notes on metrics skipped for lack of weights.
        counts (dict): images behind each group of ``report``,
            ``{'overall': n, '20-40%': k, ...}``.
        excluded (dict): ``{reason: [stems]}`` of images read but left out of
            every mean, e.g. ``{'empty_mask': ['0007']}``.
        mask_pairing (str): ``'stem'`` or ``'cyclic'``.
        mask_files (dict): ``{stem: mask file name}`` actually used.
        notes (list): pairing and inclusion notes to show the user.
        per_image (list): one row per image read, in stem order:
            ``{'stem', 'mask_ratio', 'bucket', 'PSNR', ...}`` with the values
            that entered the means, or ``excluded`` set (see
            :func:`inpaintzoo.evaluation.per_image.write_scores_csv`).
    """

    report: dict
    num_images: int
    unmatched: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)
    mask_pairing: str = 'stem'
    mask_files: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    per_image: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready summary: metrics, counts, exclusions, pairing, notes."""
        return dict(
            metrics=self.report,
            counts=dict(
                scored=self.num_images,
                excluded=sum(len(stems) for stems in self.excluded.values()),
                unmatched=sum(len(stems) for stems in self.unmatched.values()),
                per_group=dict(self.counts),
            ),
            excluded={k: list(v) for k, v in self.excluded.items()},
            unmatched={k: list(v) for k, v in self.unmatched.items()},
            mask_pairing=self.mask_pairing,
            mask_files=dict(self.mask_files),
            notes=[*self.notes, *self.skipped],
        )


def _select_metrics(
    metrics: Sequence[str] | None,
    lpips_weights: str | None,
    fid_weights: str | None,
) -> tuple[list, list[str]]:
    """Build metric objects; skip LPIPS/FID without weights unless requested."""
    explicit = metrics is not None
    names = list(metrics) if explicit else list(ALL_METRICS)
    unknown = [m for m in names if m not in ALL_METRICS]
    if unknown:
        raise ValueError(f'unknown metrics {unknown}; allowed: {list(ALL_METRICS)}')
    built, skipped = [], []
    basic = [m for m in names if m in BASIC_METRICS]
    if basic:
        built.append(InpaintingMetric(metrics=basic))
    checks: dict[str, tuple[Callable[[], object], str]] = {
        'LPIPS': (lambda: find_weights('vgg', lpips_weights), '--lpips-weights'),
        'FID': (
            lambda: find_weights('pt_inception-2015-12-05', fid_weights),
            '--fid-weights',
        ),
    }
    for name in ('LPIPS', 'FID'):
        if name not in names:
            continue
        finder, option = checks[name]
        if finder() is None:
            note = f'{name} skipped: pretrained weights not found (pass {option})'
            if explicit:
                raise FileNotFoundError(note.replace('skipped', 'requested but'))
            skipped.append(note)
            continue
        if name == 'LPIPS':
            built.append(LPIPSMetric(net='vgg', backbone_weights=lpips_weights))
        else:
            built.append(FIDMetric(inception_weights=fid_weights or FID_DEFAULT))
    return built, skipped


def load_sample(
    pred_path: Path,
    gt_path: Path,
    mask_path: Path,
    composite: bool = True,
    mask_convention: MaskConvention = 'white_hole',
    min_size: int = 1,
) -> dict:
    """Read one (prediction, GT, mask) triple into a metric sample dict.

    Args:
        pred_path (Path): saved result image.
        gt_path (Path): ground-truth image.
        mask_path (Path): mask file.
        composite (bool): paste the GT outside the hole (in float [0, 1]).
            Defaults to True.
        mask_convention (str): ``'white_hole'`` or ``'black_hole'``.
        min_size (int): smallest allowed image side (7 when SSIM is scored).

    Returns:
        dict: ``pred_img``/``gt_img`` (3, H, W) float in [0, 1], ``mask``
        (1, H, W) with 1 = hole, and ``img_path``/``mask_path``.
    """
    gt_u8, pred_u8 = read_rgb(gt_path), read_rgb(pred_path)
    for path, img in ((gt_path, gt_u8), (pred_path, pred_u8)):
        check_min_size(img.shape, path, min_size, SSIM_NEEDS)
    mask = read_mask(mask_path, mask_convention)
    if pred_u8.shape != gt_u8.shape:
        raise InvalidImageError(
            f'size mismatch: prediction {pred_path} is {pred_u8.shape[1]}x'
            f'{pred_u8.shape[0]} but ground truth {gt_path} is {gt_u8.shape[1]}x'
            f'{gt_u8.shape[0]} (W x H); images are never resized'
        )
    if mask.shape != gt_u8.shape[:2]:
        raise InvalidMaskError(
            f'size mismatch: mask {mask_path} is {mask.shape[1]}x{mask.shape[0]} '
            f'but ground truth {gt_path} is {gt_u8.shape[1]}x{gt_u8.shape[0]} '
            '(W x H); masks are never resized'
        )
    pred = torch.from_numpy(pred_u8.astype(np.float32) / 255.0).permute(2, 0, 1)
    gt = torch.from_numpy(gt_u8.astype(np.float32) / 255.0).permute(2, 0, 1)
    mask_t = torch.from_numpy(mask)[None]
    if composite:
        pred = pred * mask_t + gt * (1 - mask_t)
    return dict(
        pred_img=pred.contiguous(),
        gt_img=gt.contiguous(),
        mask=mask_t,
        img_path=str(pred_path),
        mask_path=str(mask_path),
    )


def _pairing_error(
    folders: dict[str, dict[str, Path]],
    dirs: dict[str, str | Path],
    common: int,
) -> FolderPairingError:
    """Error naming the file count of every folder and the stems each lacks."""
    every = set().union(*(set(files) for files in folders.values()))
    counts = ', '.join(
        f'{len(folders[k])} {FOLDER_LABELS[k]} in {dirs[k]}' for k in folders
    )
    lacking = []
    for key, files in folders.items():
        missing = sorted(every - set(files))
        if missing:
            shown = ', '.join(missing[:5]) + (', ...' if len(missing) > 5 else '')
            lacking.append(f'{len(missing)} stem(s) have no {key} file ({shown})')
    cyclic = (
        ''
        if 'mask' not in folders
        else ', or mask_pairing="cyclic" (--mask-pairing cyclic) to pair masks by '
        'sorted index like the official test (image i gets mask i mod n_masks)'
    )
    return FolderPairingError(
        f'the folders do not pair up by file stem: {counts}; '
        + '; '.join(lacking)
        + '. Scoring only the common stems would silently change the test set. '
        f'Fix the folders, pass allow_unmatched=True (--allow-unmatched) to score '
        f'the {common} common stem(s){cyclic}.'
    )


def _pair_files(
    folders: dict[str, dict[str, Path]],
    dirs: dict[str, str | Path],
    mask_pairing: MaskPairing,
    allow_unmatched: bool,
) -> tuple[list[str], dict[str, Path], dict[str, list[str]], list[str]]:
    """Pair predictions, GTs and masks; refuse or report what does not pair.

    Returns:
        tuple: stems to score, ``{stem: mask path}``, unmatched stems per folder
        and notes for the report.
    """
    if mask_pairing not in ('stem', 'cyclic'):
        raise ConfigError(
            f"mask_pairing must be 'stem' or 'cyclic', got {mask_pairing!r}"
        )
    notes: list[str] = []
    if mask_pairing == 'stem':
        matched = folders
    else:
        matched = {k: folders[k] for k in ('pred', 'gt')}
    stems, unmatched = match_stems(matched)
    if not stems:
        raise FileNotFoundError(
            f'no file stem is present in all of '
            f'{", ".join(str(dirs[k]) for k in matched)} (found '
            f'{" and ".join(str(len(matched[k])) for k in matched)} images)'
        )
    if unmatched and not allow_unmatched:
        raise _pairing_error(matched, dirs, len(stems))
    if mask_pairing == 'stem':
        return stems, {s: folders['mask'][s] for s in stems}, unmatched, notes
    mask_of = pair_masks_cyclically(folders['gt'], folders['mask'])
    n_gt, n_masks = len(folders['gt']), len(folders['mask'])
    note = (
        f'masks paired by sorted index (official test mode): {n_gt} ground '
        f'truths, {n_masks} masks; image i gets mask i mod {n_masks}'
    )
    if n_masks < n_gt:
        note += f' (each mask used up to {-(-n_gt // n_masks)} times)'
    elif n_masks > n_gt:
        note += f' ({n_masks - n_gt} masks unused)'
    notes.append(note)
    return stems, {s: mask_of[s] for s in stems}, unmatched, notes


def evaluate_folder(
    pred_dir: str | Path,
    gt_dir: str | Path,
    mask_dir: str | Path,
    metrics: Sequence[str] | None = None,
    composite: bool = True,
    mask_convention: MaskConvention = 'white_hole',
    lpips_weights: str | None = None,
    fid_weights: str | None = None,
    mask_pairing: MaskPairing = 'stem',
    allow_unmatched: bool = False,
    include_empty_masks: bool = False,
    buckets: Mapping[str, str] | str | None = None,
    progress: bool = False,
) -> FolderResult:
    """Score saved results against GT images and masks.

    Args:
        pred_dir (str | Path): saved results.
        gt_dir (str | Path): ground-truth images.
        mask_dir (str | Path): masks (see :func:`inpaintzoo.utils.mask_io.read_mask`
            for how a file maps to 1 = hole; 0/1 files are recognised).
        metrics (Sequence[str], optional): subset of ``PSNR SSIM L1 LPIPS FID``.
            ``None`` means all, with LPIPS/FID skipped (and noted) when their
            weights are not available; explicitly requested ones raise instead.
        composite (bool): composite with the GT outside the hole. Defaults to
            True.
        mask_convention (str): ``'white_hole'`` (default) or ``'black_hole'``.
        lpips_weights (str, optional): local VGG-16 trunk weights for LPIPS.
        fid_weights (str, optional): local Inception weights for FID.
        mask_pairing (str): ``'stem'`` (default): every file of the three
            folders pairs by stem. ``'cyclic'``: predictions and GTs pair by
            stem; GT ``i`` in sorted order gets mask ``i mod n_masks`` (the
            official test's mask mode 6); reported in ``notes``.
        allow_unmatched (bool): score only the stems present in every paired
            folder and report the others in ``unmatched``. By default any
            unmatched stem raises :class:`FolderPairingError` giving the counts.
        include_empty_masks (bool): keep images whose mask has no hole in the
            overall means (they score PSNR 100). By default they are left out
            and listed in ``excluded['empty_mask']``.
        buckets (Mapping[str, str], optional): ``{stem: bucket label}`` to use
            instead of the hole ratio's bucket, e.g. the ``bucket`` column of
            the per-image CSV of ``tools/test.py --csv`` (the test loop takes
            buckets from ``mask_bucket`` metadata such as the NVIDIA folder).
            A string puts every image with a hole in that one bucket (a
            per-bucket folder of ``tools/test.py --save-images``).
            Stems it lacks fall back to the hole ratio.
        progress (bool): draw a progress bar on stderr. Defaults to False.

    Returns:
        FolderResult: the nested report, counts per group, exclusions, notes.

    Raises:
        FolderPairingError: if the folders do not pair up (see above).
        ImageReadError: naming a file that is corrupt, truncated or smaller than
            7x7 while SSIM is scored.
        InvalidMaskError: if a mask's size differs from its GT's, or every mask
            is empty.
    """
    dirs = {'pred': pred_dir, 'gt': gt_dir, 'mask': mask_dir}
    folders = {key: list_images(path) for key, path in dirs.items()}
    stems, mask_of, unmatched, notes = _pair_files(
        folders, dirs, mask_pairing, allow_unmatched
    )
    metric_objs, skipped = _select_metrics(metrics, lpips_weights, fid_weights)
    for metric in metric_objs:  # empty masks are filtered (or kept) just below
        metric.include_empty_masks = include_empty_masks
    names = ALL_METRICS if metrics is None else tuple(metrics)
    min_size = SSIM_MIN_SIDE if 'SSIM' in names else 1
    evaluator = Evaluator(metric_objs)
    recorder = PerImageRecorder(evaluator.metrics)
    bar = ProgressBar(len(stems), file=sys.stderr) if progress else None
    counts: dict[str, int] = {OVERALL: 0}
    excluded: dict[str, list[str]] = {}
    empty_included = 0
    for stem in stems:
        sample = load_sample(
            folders['pred'][stem],
            folders['gt'][stem],
            mask_of[stem],
            composite=composite,
            mask_convention=mask_convention,
            min_size=min_size,
        )
        label = buckets if isinstance(buckets, str) else (buckets or {}).get(stem)
        if label and float(sample['mask'].max()) > 0:
            sample['mask_bucket'] = label
        bucket = sample_bucket(sample)  # the metrics' own bucket rule
        if bar is not None:
            bar.update()
        if bucket is None and not include_empty_masks:
            excluded.setdefault(EMPTY_MASK, []).append(stem)
            recorder.rows.append(
                dict(
                    stem=stem,
                    mask_ratio=mask_ratio(sample),
                    bucket='',
                    excluded=EMPTY_MASK,
                )
            )
            continue
        evaluator.process([sample])
        recorder.collect([sample], stems=[stem])
        counts[OVERALL] += 1
        if bucket is None:
            empty_included += 1
        else:
            counts[bucket] = counts.get(bucket, 0) + 1
    if bar is not None:
        sys.stderr.write('\n')
    if not counts[OVERALL]:
        raise InvalidMaskError(
            f'every one of the {len(stems)} masks used from {mask_dir} has no hole '
            f'(all known under mask_convention={mask_convention!r}); nothing to '
            'score. Check --mask-convention, or pass include_empty_masks=True '
            '(--include-empty-masks) to score them anyway'
        )
    if empty_included:
        notes.append(
            f'{empty_included} image(s) with an empty mask are included in '
            '"overall" (each scores PSNR 100) but in no bucket'
        )
    flat = evaluator.evaluate(counts[OVERALL])
    report = metrics_to_report(flat)
    return FolderResult(
        report=report,
        num_images=counts[OVERALL],
        unmatched=unmatched,
        skipped=skipped,
        counts={group: counts.get(group, 0) for group in report},
        excluded=excluded,
        mask_pairing=mask_pairing,
        mask_files={stem: mask_of[stem].name for stem in stems},
        notes=notes,
        per_image=recorder.rows,
    )
