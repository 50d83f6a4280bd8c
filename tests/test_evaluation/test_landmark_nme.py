"""LandmarkNME by hand, and through an MMEngine evaluator next to PSNR."""

import shutil

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

from inpaintzoo.datasets import ImageMaskDataset
from inpaintzoo.datasets.face_landmarks import write_landmarks
from inpaintzoo.evaluation import (
    InpaintingMetric,
    format_report_table,
    metrics_to_report,
)
from inpaintzoo.evaluation.metrics import LandmarkNME, landmark_nme
from inpaintzoo.evaluation.metrics.landmark_nme import nme
from inpaintzoo.evaluation.per_image import PerImageRecorder
from inpaintzoo.registry import METRICS, TRANSFORMS
from inpaintzoo.utils.errors import ConfigError
from tests.test_datasets.landmark_helpers import face68

# face68(): outer eye corners (75, 110) and (180, 110) -> 105 px;
# eye centres x 90 and 165, same y -> 75 px


def _sample(shift=(0.0, 0.0), gt=True, pred=True, **extra) -> dict:
    face = torch.from_numpy(face68())
    sample = dict(extra)
    if gt:
        sample['landmarks'] = face
    if pred:
        sample['pred_landmarks'] = face + torch.tensor(shift)
    return sample


def test_nme_by_hand():
    gt = face68()
    shifted = gt + np.array([3.0, 4.0], np.float32)  # every point 5 px off
    assert nme(shifted, gt) == pytest.approx(5 / 105)
    assert nme(shifted, gt, 'pupils') == pytest.approx(5 / 75)
    one = gt.copy()
    one[57] += [21.0, 0.0]  # one point 21 px off: mean error 21 / 68
    assert nme(one, gt) == pytest.approx(21 / 68 / 105)
    assert nme(gt, gt) == 0.0
    with pytest.raises(ValueError, match='inter-ocular distance 0'):
        nme(gt, np.zeros((68, 2)))


def run(metric, samples):
    evaluator = Evaluator(metric)
    evaluator.process(samples)
    return evaluator.evaluate(len(samples))


def test_metric_mean_over_images_and_buckets():
    samples = [
        _sample((3.0, 4.0), mask_bucket='20-40%'),  # 5 / 105
        _sample((0.0, 21.0), mask_bucket='40-60%'),  # 21 / 105
        _sample((6.0, 8.0), mask_bucket='20-40%'),  # 10 / 105
    ]
    out = run(LandmarkNME(), samples)
    assert out['landmark/NME'] == pytest.approx((5 + 21 + 10) / 3 / 105)
    assert out['landmark/NME_20-40%'] == pytest.approx(7.5 / 105)
    assert out['landmark/NME_40-60%'] == pytest.approx(21 / 105)
    assert set(out) == {'landmark/NME', 'landmark/NME_20-40%', 'landmark/NME_40-60%'}
    pupils = run(
        METRICS.build(dict(type='LandmarkNME', inter_ocular='pupils')), samples
    )
    assert pupils['landmark/NME'] == pytest.approx(12 / 75)


def test_samples_without_gt_are_skipped_and_counted(capture_print_log):
    logged = capture_print_log(landmark_nme)
    out = run(LandmarkNME(), [_sample((3.0, 4.0)), _sample(gt=False)])
    assert out == {'landmark/NME': pytest.approx(5 / 105)}
    assert any('1 of 2 samples have no ground-truth' in m for m in logged)
    with pytest.raises(ConfigError, match='none of the 2 evaluated samples'):
        run(LandmarkNME(), [_sample(gt=False), _sample(gt=False, pred=False)])


def test_clear_errors():
    with pytest.raises(ConfigError, match=r"no 'pred_landmarks'"):
        LandmarkNME().process(None, [_sample(pred=False, img_path='a.png')])
    bad = _sample()
    bad['pred_landmarks'] = bad['pred_landmarks'][:5]
    with pytest.raises(ValueError, match=r'expected \(68, 2\)'):
        LandmarkNME().process(None, [bad])
    with pytest.raises(ConfigError, match='inter_ocular'):
        LandmarkNME(inter_ocular='iris')


def test_nme_next_to_psnr_through_the_pipeline(data_dir, tmp_path):
    """A tiny evaluator run: dataset samples, a fake model's outputs, report, CSV."""
    root = tmp_path / 'celeba'
    shutil.copytree(data_dir / 'celeba_landmarks' / 'images', root / 'images')
    shutil.copytree(data_dir / 'celeba_landmarks' / 'masks', root / 'masks')
    for img in (root / 'images').glob('*.png'):
        write_landmarks(root / 'landmarks' / f'{img.stem}.txt', face68())
    pipeline = [
        TRANSFORMS.build(dict(type=t))
        for t in ('LoadImage', 'LoadLandmarks', 'LoadMask', 'PackInpaintInputs')
    ]
    ds = ImageMaskDataset(
        img_source='images',
        mask_source='masks',
        landmark_source='landmarks',
        data_root=str(root),
        pipeline=pipeline,
        test_mode=True,
    )
    metrics = [InpaintingMetric(), LandmarkNME()]
    evaluator = Evaluator(metrics)
    recorder = PerImageRecorder(metrics)
    shifts = [(3.0, 4.0), (0.0, 0.0), (6.0, 8.0), (0.0, 5.0)]  # 5, 0, 10, 5 px
    for i, shift in enumerate(shifts):
        item = ds[i]
        sample = item['data_samples']
        img = item['inputs']['img'].float() / 255
        # what the model's predict mode adds: composite = GT (PSNR 100) and
        # pred_landmarks; the GT landmarks came from the pipeline
        sample.set_data(
            dict(
                pred_img=img,
                gt_img=img,
                mask=item['inputs']['mask'],
                pred_landmarks=sample.landmarks + torch.tensor(shift),
            )
        )
        evaluator.process([sample])
        recorder.collect([sample])
    out = evaluator.evaluate(len(ds))
    assert out['landmark/NME'] == pytest.approx(20 / 4 / 105)
    report = metrics_to_report(out)
    assert report['overall']['NME'] == pytest.approx(20 / 4 / 105)
    assert report['overall']['PSNR'] == 100
    table = format_report_table(report)
    assert 'NME' in table.splitlines()[0]
    assert 'PSNR' in table.splitlines()[0]
    assert [round(r['NME'] * 105, 4) for r in recorder.rows] == [5, 0, 10, 5]
    assert [r['stem'] for r in recorder.rows] == ['00000', '00001', '00002', '00003']
