"""Bad predictions raise (never a plausible score); exact bucket edges; FID warning."""

import numpy as np
import pytest
import torch
from torch import nn

from inpaintzoo.datasets.masks.bucket import hole_ratio, mask_bucket
from inpaintzoo.evaluation.metrics import (
    FIDMetric,
    InpaintingMetric,
    LandmarkNME,
    RestorationMetric,
    fid_metric,
)
from inpaintzoo.evaluation.metrics.landmark_nme import nme
from inpaintzoo.evaluation.per_image import mask_ratio
from tests.test_datasets.landmark_helpers import face68


def _sample(value: float | None = None, rows: int = 20, name: str = 'a/x.png') -> dict:
    """(3, 100, 100) GT, a ``rows`` % hole, the prediction's hole set to ``value``."""
    gt = torch.rand(3, 100, 100, generator=torch.Generator().manual_seed(0))
    mask = torch.zeros(1, 100, 100)
    mask[:, :rows] = 1
    pred = gt.clone()
    if value is not None:
        pred[:, :rows] = value
    return dict(pred_img=pred, gt_img=gt, mask=mask, img_path=name)


@pytest.mark.parametrize(
    ('value', 'match'),
    [
        (float('nan'), r'a/x\.png.*pred_img.*6000 NaN and 0 Inf'),
        (float('inf'), r'a/x\.png.*pred_img.*0 NaN and 6000 Inf'),
        (-5.0, r'a/x\.png.*pred_img.*min -5'),
        (-0.5, r'a/x\.png.*\[-1, 1\]'),
    ],
)
def test_bad_predictions_raise_naming_the_sample(value, match):
    with pytest.raises(ValueError, match=match):
        InpaintingMetric().process(None, [_sample(value)])


def test_nan_ground_truth_and_restoration_predictions_raise():
    sample = _sample()
    sample['gt_img'] = sample['gt_img'].clone()
    sample['gt_img'][0, 0, 0] = float('nan')
    with pytest.raises(ValueError, match=r'gt_img.*1 NaN.*ground-truth'):
        InpaintingMetric().process(None, [sample])
    with pytest.raises(ValueError, match=r'RestorationMetric: a/x\.png.*NaN'):
        RestorationMetric().process(None, [_sample(float('nan'))])


def test_values_just_outside_unit_range_are_still_scored():
    metric = InpaintingMetric()
    metric.process(None, [_sample(-0.005), _sample(1.5)])  # both clamped
    assert len(metric.results) == 2


def test_nan_landmarks_raise_naming_the_sample():
    face = torch.from_numpy(face68())
    sample = dict(landmarks=face, pred_landmarks=face.clone(), img_path='f/0.png')
    sample['pred_landmarks'][3, 1] = float('nan')
    with pytest.raises(ValueError, match=r'f/0\.png.*pred_landmarks.*1 NaN'):
        LandmarkNME().process(None, [sample])


def test_pupils_give_larger_nmes_than_outer_corners():
    gt = face68()
    pred = gt + 2.0
    assert nme(pred, gt, 'pupils') > nme(pred, gt, 'outer_corners')


@pytest.mark.parametrize(
    ('rows', 'bucket'), [(20, '0.01-20%'), (40, '20-40%'), (60, '40-60%')]
)
def test_exact_edges_fall_in_the_lower_bucket(rows, bucket):
    sample = _sample(rows=rows)
    mask32 = sample['mask'][0].numpy()  # float32: its mean is 0.2000000030
    assert mask_bucket(mask32) == bucket
    assert mask_bucket(sample['mask']) == bucket
    assert hole_ratio(mask32) == rows / 100
    assert mask_ratio(sample) == rows / 100  # the per-image CSV column
    metric = InpaintingMetric()
    metric.process(None, [sample])
    assert metric.results[0]['bucket'] == bucket
    face = torch.from_numpy(face68())
    nme_metric = LandmarkNME()
    nme_metric.process(None, [dict(sample, landmarks=face, pred_landmarks=face)])
    assert nme_metric.results[0]['bucket'] == bucket


def test_one_hole_pixel_is_in_the_lowest_bucket():
    mask = np.zeros((256, 256), np.float32)
    mask[5, 7] = 1
    assert mask_bucket(mask) == '0.01-20%'
    assert mask_bucket(np.zeros((4, 4))) is None


class MeanStdFeatures(nn.Module):
    """(N, 3, H, W) -> (N, 6): per-channel mean and std."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x.mean((2, 3)), x.std((2, 3))], 1)


def _fid_samples(n: int) -> list[dict]:
    gen = torch.Generator().manual_seed(1)
    out = []
    for i in range(n):
        s = _sample(rows=30, name=f'{i}.png')
        s['pred_img'] = torch.rand(3, 100, 100, generator=gen)
        out.append(s)
    return out


def test_fid_with_fewer_images_than_features_warns_once_per_group(
    capture_print_log,
):
    logged = capture_print_log(fid_metric)
    metric = FIDMetric(feature_extractor=dict(type=MeanStdFeatures))
    metric.process(None, _fid_samples(4))  # N = 4 <= D = 6
    out = metric.compute_metrics(metric.results)
    assert set(out) == {'FID', 'FID_20-40%'}
    biased = [line for line in logged if 'biased' in line]
    assert len(biased) == 2  # overall and the one bucket
    assert "'overall'" in biased[0]
    assert "'20-40%'" in biased[1]
    assert '4 images but 6-d features' in biased[0]
    logged.clear()
    metric = FIDMetric(feature_extractor=dict(type=MeanStdFeatures))
    metric.process(None, _fid_samples(7))  # N = 7 > D = 6
    metric.compute_metrics(metric.results)
    assert not [line for line in logged if 'biased' in line]
