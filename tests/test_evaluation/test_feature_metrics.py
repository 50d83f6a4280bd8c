import lpips
import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from torch import nn

from inpaintzoo.evaluation import (
    FIDMetric,
    InceptionPool3,
    InpaintingMetric,
    LPIPSMetric,
    build_lpips,
)
from inpaintzoo.evaluation.folder_io import read_mask, read_rgb
from inpaintzoo.evaluation.functional import feature_statistics, frechet_distance


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    """A torch hub cache without any weights."""
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
    return tmp_path / 'hub'


def real_crops(data_dir, size=64):
    """(pred composite, gt, mask) tensors cropped from the real sample images."""
    out = []
    for img, msk, y in [
        ('celebahq/test1.png', 'celebahq/mask1.png', 200),
        ('places/test1.jpg', 'places/mask1.png', 100),
    ]:
        gt = read_rgb(data_dir / img)[y : y + size, y : y + size]
        mask = read_mask(data_dir / msk, 'black_hole')[y : y + size, y : y + size]
        gt_t = torch.from_numpy(gt).permute(2, 0, 1).float() / 255
        m = torch.from_numpy(mask)[None]
        pred = torch.flip(gt_t, dims=[1]) * m + gt_t * (1 - m)
        out.append(dict(pred_img=pred, gt_img=gt_t, mask=m))
    return out


@pytest.mark.filterwarnings('ignore::UserWarning')
@pytest.mark.slow
def test_lpips_random_trunk_equals_lpips_package(data_dir):
    samples = real_crops(data_dir)
    metric = LPIPSMetric(net='vgg', pnet_rand=True)
    assert metric._model is None  # lazy: nothing built in __init__
    torch.manual_seed(0)
    evaluator = Evaluator(metric)
    evaluator.process(samples)
    out = evaluator.evaluate(len(samples))
    torch.manual_seed(0)
    ref = lpips.LPIPS(net='vgg', pnet_rand=True, verbose=False).eval()
    with torch.no_grad():
        per = [
            ref(s['pred_img'][None] * 2 - 1, s['gt_img'][None] * 2 - 1).item()
            for s in samples
        ]
    assert all(v > 0 for v in per)
    assert out['inpaint/LPIPS'] == pytest.approx(np.mean(per), rel=1e-5)
    assert sum(k.startswith('inpaint/LPIPS_') for k in out) >= 1


@pytest.mark.filterwarnings('ignore::UserWarning')
@pytest.mark.slow
def test_lpips_loads_local_backbone_weights(tmp_path, empty_hub):
    torch.manual_seed(1)
    trunk = lpips.pretrained_networks.alexnet(requires_grad=False, pretrained=False)
    state = {}
    for name, value in trunk.state_dict().items():
        state['features.' + name.split('.', 1)[1]] = value
    path = tmp_path / 'alexnet.pth'
    torch.save(state, path)
    model = build_lpips(net='alex', backbone_weights=str(path))
    for name, value in model.net.state_dict().items():
        torch.testing.assert_close(value, trunk.state_dict()[name])
    del state['features.0.weight']
    torch.save(state, path)
    with pytest.raises(KeyError, match=r'features\.0\.weight'):
        build_lpips(net='alex', backbone_weights=str(path))


def test_lpips_without_weights_errors_clearly_on_first_process(empty_hub):
    metric = LPIPSMetric()  # building the metric never needs weights
    sample = dict(pred_img=torch.rand(3, 8, 8), gt_img=torch.rand(3, 8, 8))
    sample['mask'] = torch.ones(1, 8, 8)
    with pytest.raises(FileNotFoundError, match=r'vgg16-397923af\.pth'):
        metric.process(None, [sample])


class MeanStdFeatures(nn.Module):
    """Tiny deterministic extractor: per-channel mean and std -> (N, 6)."""

    def forward(self, x):
        return torch.cat([x.mean((2, 3)), x.std((2, 3))], 1)


def test_fid_with_injected_extractor(data_dir):
    base = real_crops(data_dir, size=32)
    rng = torch.Generator().manual_seed(0)
    samples = []
    for i in range(5):
        s = dict(base[i % 2])
        noise = torch.rand(s['gt_img'].shape, generator=rng) * 0.2 * (i + 1) / 5
        s['gt_img'] = (s['gt_img'] + noise).clamp(0, 1)
        s['mask_bucket'] = '40-60%' if i < 4 else '0.01-20%'
        samples.append(s)
    metric = FIDMetric(feature_extractor=dict(type=MeanStdFeatures))
    assert metric._extractor is None
    evaluator = Evaluator(metric)
    evaluator.process(samples)
    out = evaluator.evaluate(len(samples))
    ext = MeanStdFeatures()
    pred_f = torch.stack([ext(s['pred_img'][None])[0] for s in samples]).numpy()
    gt_f = torch.stack([ext(s['gt_img'][None])[0] for s in samples]).numpy()
    expected = frechet_distance(*feature_statistics(pred_f), *feature_statistics(gt_f))
    assert out['inpaint/FID'] == pytest.approx(expected, rel=1e-5)
    assert out['inpaint/FID'] > 0
    assert 'inpaint/FID_40-60%' in out
    assert 'inpaint/FID_0.01-20%' not in out  # a single image has no FID


def test_fid_identical_sets_is_zero(data_dir):
    samples = [dict(s, gt_img=s['pred_img']) for s in real_crops(data_dir, 32)]
    metric = FIDMetric(feature_extractor=dict(type=MeanStdFeatures))
    metric.process(None, samples)
    out = metric.compute_metrics(metric.results)
    assert out['FID'] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.slow
def test_inception_pool3_shape_and_missing_weights(empty_hub):
    net = InceptionPool3(weights=None).eval()
    with torch.no_grad():
        feats = net(torch.rand(1, 3, 40, 48))
    assert feats.shape == (1, 2048)
    assert torch.isfinite(feats).all()
    with pytest.raises(FileNotFoundError, match='pt_inception-2015-12-05'):
        InceptionPool3()
    with pytest.raises(FileNotFoundError, match=r'nope\.pth'):
        InceptionPool3(weights=str(empty_hub / 'nope.pth'))
    metric = FIDMetric()  # lazy: the missing file only matters on first use
    sample = dict(pred_img=torch.rand(3, 8, 8), gt_img=torch.rand(3, 8, 8))
    sample['mask'] = torch.ones(1, 8, 8)
    with pytest.raises(FileNotFoundError, match='--fid-weights'):
        metric.process(None, [sample])


def with_empty_mask(sample: dict) -> dict:
    """A no-hole sample: the composite equals the GT (a perfect score)."""
    return dict(
        sample, pred_img=sample['gt_img'], mask=torch.zeros_like(sample['mask'])
    )


class MeanAbsDistance(nn.Module):
    """Stand-in LPIPS network: mean absolute difference of the [-1, 1] inputs."""

    def forward(self, a, b):
        return (a - b).abs().mean()


def test_lpips_excludes_empty_masks(data_dir):
    samples = real_crops(data_dir, size=32)
    samples.append(with_empty_mask(samples[0]))  # LPIPS 0 if it were scored
    scores = {}
    for include in (False, True):
        metric = LPIPSMetric(include_empty_masks=include, report_counts=True)
        metric._model = MeanAbsDistance()  # skip the (slow) VGG build
        metric.process(None, samples)
        scores[include] = metric.compute_metrics(metric.results)
    per = [float((s['pred_img'] - s['gt_img']).abs().mean() * 2) for s in samples]
    assert per[2] == 0.0
    assert scores[False]['LPIPS'] == pytest.approx(np.mean(per[:2]))  # old: all 3
    assert scores[False]['images'] == 2
    assert scores[False]['excluded_empty_mask'] == 1
    assert scores[True]['LPIPS'] == pytest.approx(np.mean(per))
    assert scores[True]['images'] == 3
    assert scores[True]['excluded_empty_mask'] == 0
    default = LPIPSMetric()
    default._model = MeanAbsDistance()
    default.process(None, samples)
    assert 'images' not in default.compute_metrics(default.results)  # counts off


def test_fid_excludes_empty_masks(data_dir):
    base = real_crops(data_dir, size=32)
    samples = [dict(s, gt_img=(s['gt_img'] * 0.9)) for s in base * 2]
    kept = FIDMetric(feature_extractor=dict(type=MeanStdFeatures))
    kept.process(None, samples)
    expected = kept.compute_metrics(kept.results)['FID']
    metric = FIDMetric(feature_extractor=dict(type=MeanStdFeatures), report_counts=True)
    metric.process(None, [*samples, with_empty_mask(samples[0])])
    out = metric.compute_metrics(metric.results)
    assert out['FID'] == pytest.approx(expected)  # the GT copy is left out
    assert out['images'] == 4
    assert out['excluded_empty_mask'] == 1


def test_all_metrics_in_one_evaluator_have_distinct_keys(data_dir):
    samples = real_crops(data_dir, size=32)
    samples.append(with_empty_mask(samples[0]))
    evaluator = Evaluator(
        [
            InpaintingMetric(metrics=['L1']),
            FIDMetric(feature_extractor=dict(type=MeanStdFeatures)),
        ]
    )
    evaluator.process(samples)
    out = evaluator.evaluate(len(samples))  # duplicate keys would raise
    assert out['inpaint/images'] == 2
    assert out['inpaint/excluded_empty_mask'] == 1
    assert 'inpaint/FID' in out
