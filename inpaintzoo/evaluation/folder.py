"""Score saved results of any method against GT images and masks on disk.

The files are paired by stem and fed, as sample dicts, through the same metric
classes the test loop uses, so numbers and buckets are the same.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from mmengine.evaluator import Evaluator

from inpaintzoo.utils.errors import InvalidMaskError
from inpaintzoo.utils.mask import MaskConvention

from .feature_extractors import find_weights
from .folder_io import list_images, match_stems, read_mask, read_rgb
from .metrics import FIDMetric, InpaintingMetric, LPIPSMetric
from .report import metrics_to_report

BASIC_METRICS = ('PSNR', 'SSIM', 'L1')
ALL_METRICS = (*BASIC_METRICS, 'LPIPS', 'FID')
FID_DEFAULT = 'pt_inception-2015-12-05'


@dataclass
class FolderResult:
    """Outcome of :func:`evaluate_folder`.

    Attributes:
        report (dict): nested ``{group: {metric: value}}``.
        num_images (int): number of matched images scored.
        unmatched (dict): ``{'pred'|'gt'|'mask': [stems]}`` left out.
        skipped (list): notes on metrics skipped for lack of weights.
    """

    report: dict
    num_images: int
    unmatched: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)


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
) -> dict:
    """Read one (prediction, GT, mask) triple into a metric sample dict.

    Args:
        pred_path (Path): saved result image.
        gt_path (Path): ground-truth image.
        mask_path (Path): mask file.
        composite (bool): paste the GT outside the hole (in float [0, 1]).
            Defaults to True.
        mask_convention (str): ``'white_hole'`` or ``'black_hole'``.

    Returns:
        dict: ``pred_img``/``gt_img`` (3, H, W) float in [0, 1], ``mask``
        (1, H, W) with 1 = hole, and ``img_path``/``mask_path``.
    """
    pred_u8, gt_u8 = read_rgb(pred_path), read_rgb(gt_path)
    mask = read_mask(mask_path, mask_convention)
    if pred_u8.shape != gt_u8.shape:
        raise ValueError(
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


def evaluate_folder(
    pred_dir: str | Path,
    gt_dir: str | Path,
    mask_dir: str | Path,
    metrics: Sequence[str] | None = None,
    composite: bool = True,
    mask_convention: MaskConvention = 'white_hole',
    lpips_weights: str | None = None,
    fid_weights: str | None = None,
) -> FolderResult:
    """Score every stem present in all three folders.

    Args:
        pred_dir (str | Path): saved results.
        gt_dir (str | Path): ground-truth images.
        mask_dir (str | Path): masks.
        metrics (Sequence[str], optional): subset of ``PSNR SSIM L1 LPIPS FID``.
            ``None`` means all, with LPIPS/FID skipped (and noted) when their
            weights are not available; explicitly requested ones raise instead.
        composite (bool): composite with the GT outside the hole. Defaults to
            True.
        mask_convention (str): ``'white_hole'`` (default) or ``'black_hole'``.
        lpips_weights (str, optional): local VGG-16 trunk weights for LPIPS.
        fid_weights (str, optional): local Inception weights for FID.

    Returns:
        FolderResult: the nested report and bookkeeping.
    """
    folders = {
        'pred': list_images(pred_dir),
        'gt': list_images(gt_dir),
        'mask': list_images(mask_dir),
    }
    stems, unmatched = match_stems(folders)
    if not stems:
        raise FileNotFoundError(
            f'no file stem is present in all of {pred_dir}, {gt_dir} and {mask_dir} '
            f'(found {len(folders["pred"])}, {len(folders["gt"])} and '
            f'{len(folders["mask"])} images)'
        )
    metric_objs, skipped = _select_metrics(metrics, lpips_weights, fid_weights)
    evaluator = Evaluator(metric_objs)
    for stem in stems:
        sample = load_sample(
            folders['pred'][stem],
            folders['gt'][stem],
            folders['mask'][stem],
            composite=composite,
            mask_convention=mask_convention,
        )
        evaluator.process([sample])
    flat = evaluator.evaluate(len(stems))
    return FolderResult(
        report=metrics_to_report(flat),
        num_images=len(stems),
        unmatched=unmatched,
        skipped=skipped,
    )
