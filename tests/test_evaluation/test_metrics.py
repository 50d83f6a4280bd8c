import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

from inpaintzoo.evaluation import (
    InpaintingMetric,
    format_report_table,
    metrics_to_report,
)
from inpaintzoo.evaluation.functional import psnr, quantize_official
from inpaintzoo.evaluation.metrics import sample_utils
from inpaintzoo.evaluation.report import metrics_to_counts
from inpaintzoo.registry import METRICS
from inpaintzoo.structures.inpaint_sample import InpaintSample
from inpaintzoo.utils.errors import ConfigError

SIZE = 16


def make_sample(hole_rows: int, delta: float, bucket: str | None = None) -> dict:
    """GT 0.5 grey; pred = GT + delta inside the first ``hole_rows`` rows."""
    gt = torch.full((3, SIZE, SIZE), 0.5)
    mask = torch.zeros(1, SIZE, SIZE)
    mask[:, :hole_rows] = 1
    pred = gt + delta * mask
    sample = dict(pred_img=pred, gt_img=gt, mask=mask)
    if bucket is not None:
        sample['mask_bucket'] = bucket
    return sample


def run(metric, samples):
    evaluator = Evaluator(metric)
    evaluator.process(samples)
    return evaluator.evaluate(len(samples))


def test_bucket_grouping_with_known_numbers():
    samples = [
        make_sample(2, 0.1),  # ratio 0.125 -> 0.01-20%, L1 = 0.1*0.125*100
        make_sample(3, 0.2),  # ratio 0.1875 -> 0.01-20%
        make_sample(8, 0.1),  # ratio 0.5 -> 40-60%
        make_sample(2, 0.3, bucket='20-40%'),  # metadata wins over the ratio
    ]
    out = run(InpaintingMetric(), samples)
    l1s = [1.25, 3.75, 5.0, 3.75]
    assert out['inpaint/L1'] == pytest.approx(np.mean(l1s), rel=1e-5)
    assert out['inpaint/L1_0.01-20%'] == pytest.approx(2.5, rel=1e-5)
    assert out['inpaint/L1_20-40%'] == pytest.approx(3.75, rel=1e-5)
    assert out['inpaint/L1_40-60%'] == pytest.approx(5.0, rel=1e-5)
    assert not any('60-100%' in k for k in out)  # empty bucket omitted
    psnrs = [
        psnr(
            quantize_official(s['pred_img'].permute(1, 2, 0)),
            quantize_official(s['gt_img'].permute(1, 2, 0)),
        )
        for s in samples
    ]
    assert out['inpaint/PSNR'] == pytest.approx(np.mean(psnrs))
    assert out['inpaint/PSNR_0.01-20%'] == pytest.approx(np.mean(psnrs[:2]))
    assert out['inpaint/SSIM_40-60%'] < out['inpaint/SSIM_0.01-20%'] < 1
    assert len(out) == 3 * 4 + 4 + 1  # means, images per group, excluded count
    assert out['inpaint/images'] == 4
    assert out['inpaint/images_0.01-20%'] == 2
    assert out['inpaint/images_20-40%'] == out['inpaint/images_40-60%'] == 1
    assert out['inpaint/excluded_empty_mask'] == 0


def test_inpaint_samples_and_registry_build():
    metric = METRICS.build(dict(type='InpaintingMetric', metrics=['L1'], prefix='x'))
    sample = InpaintSample(metainfo=dict(mask_bucket='40-60%'))
    for key, value in make_sample(8, 0.2).items():
        sample.set_field(value, key)
    out = run(metric, [sample])
    assert out == {
        'x/L1': pytest.approx(10.0, rel=1e-5),
        'x/L1_40-60%': out['x/L1'],
        'x/images': 1,
        'x/images_40-60%': 1,
        'x/excluded_empty_mask': 0,
    }


def test_identical_images_score_the_cap():
    full = make_sample(SIZE, 0.0)  # every pixel a hole, perfect prediction
    out = run(InpaintingMetric(), [full])
    assert out['inpaint/PSNR'] == 100.0
    assert out['inpaint/SSIM'] == 1.0
    assert out['inpaint/L1'] == 0.0


@pytest.fixture
def logged(capture_print_log):
    """Messages the metrics log through ``print_log``."""
    return capture_print_log(sample_utils)


def test_empty_mask_is_excluded_from_every_mean(logged):
    samples = [make_sample(2, 0.1), make_sample(8, 0.1), make_sample(0, 0.0)]
    out = run(InpaintingMetric(), samples)
    ref = run(InpaintingMetric(), samples[:2])
    # old code: the no-hole image added PSNR 100 / SSIM 1 / L1 0 to "overall"
    for name in ('PSNR', 'SSIM', 'L1'):
        assert out[f'inpaint/{name}'] == pytest.approx(ref[f'inpaint/{name}'])
    assert out['inpaint/excluded_empty_mask'] == 1
    assert out['inpaint/images'] == 2
    assert out['inpaint/images_0.01-20%'] == out['inpaint/images_40-60%'] == 1
    assert len(logged) == 1
    assert '1 of 3 images' in logged[0]
    assert 'include_empty_masks' in logged[0]
    assert metrics_to_counts(out) == {
        'overall': 2,
        '0.01-20%': 1,
        '40-60%': 1,
        'excluded_empty_mask': 1,
    }
    assert set(metrics_to_report(out)) == {'overall', '0.01-20%', '40-60%'}


def test_empty_mask_included_on_request(logged):
    samples = [make_sample(2, 0.1), make_sample(8, 0.1), make_sample(0, 0.0)]
    metric = METRICS.build(dict(type='InpaintingMetric', include_empty_masks=True))
    out = run(metric, samples)
    ref = run(InpaintingMetric(), samples[:2])
    expected = (ref['inpaint/PSNR'] * 2 + 100.0) / 3
    assert out['inpaint/PSNR'] == pytest.approx(expected)
    assert out['inpaint/PSNR_40-60%'] == ref['inpaint/PSNR_40-60%']  # no bucket
    assert out['inpaint/images'] == 3
    assert out['inpaint/excluded_empty_mask'] == 0
    assert len(logged) == 1
    assert 'included in "overall"' in logged[0]


def test_only_empty_masks_gives_counts_only(logged):
    out = run(InpaintingMetric(), [make_sample(0, 0.0), make_sample(0, 0.1)])
    assert out == {'inpaint/images': 0, 'inpaint/excluded_empty_mask': 2}
    assert len(logged) == 1
    assert 'no value is reported' in logged[0]
    assert metrics_to_report(out) == {}


def test_soft_mask_value_is_a_hole():
    sample = make_sample(0, 0.0)
    sample['mask'][0, 0, 0] = 0.25  # any value > 0 is a hole pixel
    out = run(InpaintingMetric(metrics=['L1']), [sample])
    assert out['inpaint/images'] == 1
    assert out['inpaint/excluded_empty_mask'] == 0


def test_bad_config_and_input():
    with pytest.raises(ConfigError, match='allowed'):
        InpaintingMetric(metrics=('PSNR', 'FID'))
    metric = InpaintingMetric()
    bad = make_sample(2, 0.1)
    bad['pred_img'] = bad['pred_img'] * 255
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        metric.process(None, [bad])
    with pytest.raises(KeyError, match='pred_img'):
        metric.process(None, [dict(gt_img=bad['gt_img'], mask=bad['mask'])])


def test_report_nesting_and_table():
    flat = {
        'inpaint/L1_40-60%': 5.0,
        'inpaint/PSNR': 30.0,
        'inpaint/L1': 2.0,
        'inpaint/PSNR_40-60%': 25.0,
        'inpaint/PSNR_0.01-20%': 35.0,
        'inpaint/LPIPS': 0.1,
    }
    report = metrics_to_report(flat)
    assert list(report) == ['overall', '0.01-20%', '40-60%']
    assert report['overall'] == {'PSNR': 30.0, 'L1': 2.0, 'LPIPS': 0.1}
    assert list(report['overall']) == ['PSNR', 'L1', 'LPIPS']
    assert report['40-60%'] == {'PSNR': 25.0, 'L1': 5.0}
    assert metrics_to_report(flat, prefix='other') == {}
    assert metrics_to_report({'PSNR_20-40%': 1}) == {'20-40%': {'PSNR': 1.0}}
    table = format_report_table(report).splitlines()
    assert table[0].split() == ['group', '|', 'PSNR', '|', 'L1', '|', 'LPIPS']
    assert table[2].split()[0] == 'overall'
    assert '30.0000' in table[2]
    assert table[3].split()[-1] == '-'  # no LPIPS for that bucket
