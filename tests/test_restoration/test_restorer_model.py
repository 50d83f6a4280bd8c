"""Restorer: residual form, padding, modes, config errors; RestorationMetric."""

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from inpaintzoo.evaluation.metrics.restoration_metric import (
    RestorationMetric,
    quantize_round,
    ssim_gaussian,
)
from inpaintzoo.models.restorers.restorer import pad_to_multiple
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError, InvalidImageError

from .conftest import tiny_deblur_config


@pytest.fixture(scope='module')
def restorer():
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    model = MODELS.build(tiny_deblur_config().model)
    model.generator.output.weight.data.normal_(0, 0.05)  # not the identity
    return model.eval()


def test_residual_output_and_any_size(restorer):
    x = torch.rand(2, 3, 21, 35)
    with torch.no_grad():
        out = restorer(dict(img=x), mode='tensor')
        zeros = torch.zeros(2, 1, 32, 48)
        padded = torch.nn.functional.pad(x, (0, 13, 0, 11), mode='reflect')
        net = restorer.generator(padded, zeros)[..., :21, :35]
    assert out.shape == x.shape
    torch.testing.assert_close(out, x + net)
    assert restorer.size_divisor == 16


@pytest.mark.parametrize(
    ('size', 'mode'),
    # the pad to 16 equals the side (8): reflect is impossible, so replicate
    [
        ((8, 8), 'replicate'),
        ((8, 21), 'replicate'),
        ((24, 8), 'replicate'),
        ((9, 9), 'reflect'),
        ((24, 25), 'reflect'),
    ],
)
def test_pad_equal_to_the_side_falls_back_to_replicate(restorer, size, mode):
    h, w = size
    x = torch.rand(1, 3, h, w)
    ph, pw = -h % 16, -w % 16
    padded = pad_to_multiple(x, 16)
    torch.testing.assert_close(
        padded, torch.nn.functional.pad(x, (0, pw, 0, ph), mode=mode)
    )
    with torch.no_grad():
        out = restorer(dict(img=x), mode='tensor')
        zeros = torch.zeros(1, 1, h + ph, w + pw)
        net = restorer.generator(padded, zeros)[..., :h, :w]
    assert out.shape == x.shape
    torch.testing.assert_close(out, x + net)


def test_identity_init_returns_the_input():
    init_default_scope('inpaintzoo')
    model = MODELS.build(tiny_deblur_config().model)
    model.init_weights()  # the demo config zeroes the output conv
    x = torch.rand(1, 3, 16, 16)
    torch.testing.assert_close(model(dict(img=x), mode='tensor'), x)


def test_loss_and_predict_modes(restorer):
    x, gt = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)
    losses = restorer(dict(img=x, gt=gt), mode='loss')
    assert set(losses) == {'loss_l1', 'loss_fft'}
    samples = restorer(dict(img=x, gt=gt), mode='predict')
    assert 0 <= samples[0].pred_img.min() <= samples[0].pred_img.max() <= 1
    torch.testing.assert_close(samples[1].gt_img, gt[1])
    with pytest.raises(InvalidImageError, match='gt'):
        restorer(dict(img=x), mode='loss')


def test_restore_uint8_round_trip(restorer):
    img = torch.randint(0, 256, (3, 20, 24), dtype=torch.uint8)
    out = restorer.restore(img)
    assert out.dtype == torch.uint8
    assert out.shape == img.shape


def test_residual_with_tanh_output_is_refused():
    cfg = tiny_deblur_config().model
    cfg.generator.output_act = 'tanh01'
    with pytest.raises(ConfigError, match="output_act='none'"):
        MODELS.build(cfg)
    cfg.residual = False
    MODELS.build(cfg)  # a direct (non-residual) restorer may use it


def test_preprocessor_pairs(restorer):
    img = torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8)
    data = restorer.data_preprocessor(
        {'inputs': {'img': [img], 'gt': [img]}, 'data_samples': None}
    )
    torch.testing.assert_close(data['inputs']['gt'], img[None].float() / 255)
    with pytest.raises(InvalidImageError, match='same size'):
        restorer.data_preprocessor({'inputs': {'img': [img], 'gt': [img[:, :4]]}})


def test_metric_protocol():
    gen = torch.Generator().manual_seed(0)
    gt = torch.rand(3, 16, 16, generator=gen)
    pred = (gt + 0.02 * torch.randn(3, 16, 16, generator=gen)).clamp(0, 1)
    metric = RestorationMetric()
    row = metric.score(pred, gt)
    p8 = quantize_round(pred.permute(1, 2, 0))
    g8 = quantize_round(gt.permute(1, 2, 0))
    mse = np.mean((p8.astype(float) - g8.astype(float)) ** 2)
    assert row['PSNR'] == pytest.approx(10 * np.log10(255**2 / mse))
    assert 0 < row['SSIM'] < 1
    assert metric.score(gt, gt) == {'PSNR': 100.0, 'SSIM': 1.0}
    assert quantize_round(torch.tensor([0.4 / 255, 1.6 / 255])).tolist() == [0, 2]
    metric.process({}, [dict(pred_img=pred, gt_img=gt), dict(pred_img=gt, gt_img=gt)])
    res = metric.compute_metrics(metric.results)
    assert res['images'] == 2
    assert res['PSNR'] == pytest.approx((row['PSNR'] + 100) / 2)
    with pytest.raises(ConfigError, match='quantize'):
        RestorationMetric(quantize='floor')


def wang_ssim_rgb(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of Wang et al. (2004) written out: (H, W, 3) uint8 -> channel mean.

    11 x 11 Gaussian window (sigma 1.5, normalised), K1 0.01, K2 0.03, L 255,
    population (co)variances, the mean over the valid (unpadded) window positions.
    """
    taps = np.exp(-0.5 * (np.arange(-5, 6) / 1.5) ** 2)
    taps /= taps.sum()

    def blur(x: np.ndarray) -> np.ndarray:  # separable 'valid' filtering
        rows = sum(t * x[i : x.shape[0] - 10 + i] for i, t in enumerate(taps))
        return sum(t * rows[:, i : x.shape[1] - 10 + i] for i, t in enumerate(taps))

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = []
    for ch in range(3):
        x, y = a[..., ch].astype(np.float64), b[..., ch].astype(np.float64)
        mx, my = blur(x), blur(y)
        vx, vy = blur(x * x) - mx**2, blur(y * y) - my**2
        cxy = blur(x * y) - mx * my
        ssim_map = ((2 * mx * my + c1) * (2 * cxy + c2)) / (
            (mx**2 + my**2 + c1) * (vx + vy + c2)
        )
        scores.append(ssim_map.mean())
    return float(np.mean(scores))


def test_deblur_ssim_matches_wang_et_al_on_a_real_image(data_dir):
    from PIL import Image
    from scipy.ndimage import uniform_filter1d
    from skimage.metrics import structural_similarity

    gt_u8 = np.asarray(Image.open(data_dir / 'places/test1.jpg').convert('RGB'))
    gt_u8 = np.ascontiguousarray(gt_u8[100:228, 150:310])  # 128 x 160
    # synthetic degradation: 9-pixel horizontal motion blur plus mild noise
    blurred = uniform_filter1d(gt_u8.astype(np.float64) / 255, 9, axis=1)
    noise = np.random.default_rng(0).normal(0, 0.01, blurred.shape)
    pred = torch.from_numpy(blurred + noise).permute(2, 0, 1).float()
    gt = torch.from_numpy(gt_u8).permute(2, 0, 1).float() / 255

    pred_u8 = np.rint(np.clip(blurred + noise, 0, 1) * 255).astype(np.uint8)
    np.testing.assert_array_equal(quantize_round(pred.permute(1, 2, 0)), pred_u8)
    expected = wang_ssim_rgb(pred_u8, gt_u8)
    skimage_value = structural_similarity(
        gt_u8,
        pred_u8,
        data_range=255,
        channel_axis=-1,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        K1=0.01,
        K2=0.03,
    )
    assert skimage_value == pytest.approx(expected, abs=1e-9)
    assert 0.3 < expected < 0.95  # a real, clearly imperfect restoration

    assert ssim_gaussian(pred_u8, gt_u8) == pytest.approx(expected, abs=1e-9)
    row = RestorationMetric().score(pred, gt)  # the default protocol
    assert row['SSIM'] == pytest.approx(expected, abs=1e-9)
    # the other conventions give other numbers, so the pin above decides
    sample_cov = structural_similarity(
        gt_u8,
        pred_u8,
        data_range=255,
        channel_axis=-1,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=True,
    )
    assert abs(sample_cov - expected) > 1e-4
    uniform = RestorationMetric(ssim_window='uniform').score(pred, gt)['SSIM']
    assert abs(uniform - expected) > 1e-3


def test_metric_matlab_ssim_option(data_dir):
    from PIL import Image
    from scipy.ndimage import uniform_filter1d

    from inpaintzoo.evaluation.functional import ssim_matlab

    gt_u8 = np.array(Image.open(data_dir / 'places/test2.jpg').convert('RGB'))
    blurred = uniform_filter1d(gt_u8 / 255.0, 7, axis=0)  # vertical motion blur
    pred = torch.from_numpy(blurred).permute(2, 0, 1).float()
    gt = torch.from_numpy(gt_u8).permute(2, 0, 1).float() / 255
    pred_u8 = quantize_round(pred.permute(1, 2, 0))
    matlab = RestorationMetric(ssim_window='matlab')
    row = matlab.score(pred, gt)
    assert row['SSIM'] == pytest.approx(ssim_matlab(pred_u8, gt_u8), abs=1e-12)
    assert row['PSNR'] == RestorationMetric().score(pred, gt)['PSNR']
    gaussian = RestorationMetric().score(pred, gt)['SSIM']  # default: per channel
    assert gaussian == pytest.approx(ssim_gaussian(pred_u8, gt_u8), abs=1e-12)
    assert row['SSIM'] - gaussian > 0.01
    assert matlab.score(gt, gt)['SSIM'] == 1.0
    matlab.process({}, [dict(pred_img=pred, gt_img=gt), dict(pred_img=gt, gt_img=gt)])
    res = matlab.compute_metrics(matlab.results)
    assert res['SSIM'] == pytest.approx((row['SSIM'] + 1) / 2)
    with pytest.raises(ConfigError, match=r"ssim_window.*'matlab'.*'MATLAB'"):
        RestorationMetric(ssim_window='MATLAB')


def test_unet_output_act_option():
    init_default_scope('inpaintzoo')
    cfg = tiny_deblur_config().model.generator
    torch.manual_seed(0)
    linear = MODELS.build(cfg).eval()
    cfg.output_act = 'tanh01'
    torch.manual_seed(0)
    squashed = MODELS.build(cfg).eval()
    x, zeros = torch.rand(1, 3, 16, 16), torch.zeros(1, 1, 16, 16)
    for net in (linear, squashed):
        net.output.weight.data.fill_(0.05)
    with torch.no_grad():
        a, b = linear(x, zeros), squashed(x, zeros)
    torch.testing.assert_close(b, (torch.tanh(a) + 1) / 2)
    cfg.output_act = 'sigmoid'
    with pytest.raises(ConfigError, match='output_act'):
        MODELS.build(cfg)
