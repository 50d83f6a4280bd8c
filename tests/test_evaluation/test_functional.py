import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from inpaintzoo.evaluation.folder_io import read_mask, read_rgb
from inpaintzoo.evaluation.functional import (
    L1_SCALE,
    chw_to_hwc,
    feature_statistics,
    frechet_distance,
    l1,
    psnr,
    quantize_official,
    ssim,
)

CASES = [
    ('celebahq/test1.png', 'celebahq/mask1.png'),
    ('places/test1.jpg', 'places/mask1.png'),
]


def _pair(data_dir, img_name, mask_name):
    gt = read_rgb(data_dir / img_name).astype(np.float32) / 255.0
    mask = read_mask(data_dir / mask_name, 'black_hole')[..., None]
    rng = np.random.default_rng(0)
    out = np.clip(gt[::-1] * 0.7 + rng.random(gt.shape, np.float32) * 0.3, 0, 1)
    comp = out * mask + gt * (1 - mask)
    return comp.astype(np.float32), gt, mask


def test_quantize_truncates_like_official():
    # k/255 sent through the [-1, 1] round trip a model applies: some values land
    # just below k/255 in float32, so x * 255 truncates to k - 1.
    k = np.arange(256, dtype=np.float32)
    x = ((k / np.float32(255.0) - np.float32(0.5)) / np.float32(0.5) + 1) / 2
    q = quantize_official(x).astype(int)
    below = np.flatnonzero(q == k - 1)
    assert below.size > 0
    assert np.all((q == k) | (q == k - 1))
    kk = int(below[0])
    assert int(np.round(x[kk] * 255)) == kk  # rounding would keep k
    assert abs(float(x[kk]) - kk / 255) < 1e-6
    # clamping, and tensors work too
    out = quantize_official(torch.tensor([-0.5, 1.5, 0.999]))
    assert out.dtype == np.uint8
    assert out.tolist() == [0, 255, 254]


@pytest.mark.parametrize(('img_name', 'mask_name'), CASES)
def test_psnr_ssim_match_skimage(data_dir, img_name, mask_name):
    comp, gt, mask = _pair(data_dir, img_name, mask_name)
    assert 0.2 < mask.mean() < 0.9  # real hole
    pred_u8, gt_u8 = quantize_official(comp), quantize_official(gt)
    ref_psnr = peak_signal_noise_ratio(gt_u8, pred_u8)
    ref_ssim = structural_similarity(gt_u8, pred_u8, data_range=255, channel_axis=-1)
    assert psnr(pred_u8, gt_u8) == pytest.approx(ref_psnr, abs=1e-10)
    assert ssim(pred_u8, gt_u8) == pytest.approx(ref_ssim, abs=1e-6)
    assert 5 < psnr(pred_u8, gt_u8) < 40
    assert 0 < ssim(pred_u8, gt_u8) < 1


def test_psnr_capped_for_identical_images(data_dir):
    gt_u8 = read_rgb(data_dir / 'celebahq/test1.png')
    assert psnr(gt_u8, gt_u8.copy()) == 100.0
    one_off = gt_u8.copy()
    one_off[0, 0, 0] ^= 1  # one value off by 1: true PSNR 107 dB, capped
    assert psnr(one_off, gt_u8) == 100.0
    rows_off = gt_u8.copy()
    rows_off[:8] ^= 1
    assert 100 > psnr(rows_off, gt_u8) > 60


def test_psnr_rejects_float_and_shape_mismatch():
    a = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(TypeError, match='uint8'):
        psnr(a.astype(np.float32), a.astype(np.float32))
    with pytest.raises(ValueError, match='shape'):
        ssim(a, np.zeros((8, 9, 3), np.uint8))


def test_l1_scale_is_percent_of_range(data_dir):
    comp, gt, _ = _pair(data_dir, *CASES[0])
    raw = np.abs(comp - gt).mean()
    assert L1_SCALE == 100.0
    assert l1(comp, gt) == pytest.approx(raw * 100, rel=1e-6)
    gt_t = torch.from_numpy(gt).permute(2, 0, 1)
    assert l1(gt_t + 0.01, gt_t) == pytest.approx(1.0, rel=1e-4)


def test_chw_to_hwc():
    x = torch.arange(12.0).reshape(3, 2, 2)
    assert chw_to_hwc(x).shape == (2, 2, 3)
    assert chw_to_hwc(x)[1, 0, 2] == x[2, 1, 0]
    with pytest.raises(ValueError, match='3, H, W'):
        chw_to_hwc(torch.zeros(2, 4, 4))


def _direct_fid(f1, f2):
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)).sum()
    return ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt


def test_frechet_distance_matches_direct_computation():
    rng = np.random.default_rng(1)
    f1 = rng.normal(size=(200, 6))
    f2 = rng.normal(loc=0.5, scale=1.5, size=(200, 6)) @ rng.normal(size=(6, 6))
    mu1, s1 = feature_statistics(f1)
    mu2, s2 = feature_statistics(f2)
    value = frechet_distance(mu1, s1, mu2, s2)
    assert value == pytest.approx(_direct_fid(f1, f2), rel=1e-6)
    assert value > 1
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0, abs=1e-6)


def test_frechet_distance_singular_covariance_is_finite():
    rng = np.random.default_rng(2)
    f1, f2 = rng.normal(size=(3, 10)), rng.normal(size=(3, 10))  # rank 2 < 10
    mu1, s1 = feature_statistics(f1)
    mu2, s2 = feature_statistics(f2)
    value = frechet_distance(mu1, s1, mu2, s2)
    assert np.isfinite(value)
    assert value > 0
    with pytest.raises(ValueError, match='N >= 2'):
        feature_statistics(f1[:1])
    with pytest.raises(ValueError, match='mismatched'):
        frechet_distance(mu1, s1, mu2[:3], s2[:3, :3])
