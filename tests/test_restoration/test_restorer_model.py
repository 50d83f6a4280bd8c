"""Restorer: residual form, padding, modes, config errors; RestorationMetric."""

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from inpaintzoo.evaluation.metrics.restoration_metric import (
    RestorationMetric,
    quantize_round,
)
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
