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
    matlab_gaussian_taps,
    psnr,
    quantize_official,
    ssim,
    ssim_matlab,
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


# --- MATLAB ssim(A, ref) on RGB (the deblurring protocol of thesis Table 5.5) ---

C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


def matlab_ssim_oracle(a: np.ndarray, b: np.ndarray) -> float:
    """MATLAB's ssim written out the slow way, for (H, W) or (H, W, C) uint8.

    The full (not separable) Gaussian of 11 taps per axis built on a grid, edge
    ('replicate') padding on every axis, an explicit weighted sum over each
    window, then the map's mean.
    """
    grid = np.meshgrid(*[np.arange(-5, 6)] * a.ndim, indexing='ij')
    weights = np.exp(-sum(g**2 for g in grid) / (2 * 1.5**2))
    weights /= weights.sum()

    def smooth(x: np.ndarray) -> np.ndarray:
        windows = np.lib.stride_tricks.sliding_window_view(
            np.pad(x, 5, mode='edge'), weights.shape
        )
        return np.tensordot(windows, weights, axes=a.ndim)

    x, y = a.astype(np.float64), b.astype(np.float64)
    mx, my = smooth(x), smooth(y)
    vx, vy, cxy = smooth(x * x) - mx**2, smooth(y * y) - my**2, smooth(x * y) - mx * my
    ssim_map = ((2 * mx * my + C1) * (2 * cxy + C2)) / (
        (mx**2 + my**2 + C1) * (vx + vy + C2)
    )
    return float(ssim_map.mean())


def test_matlab_window_is_11_normalised_gaussian_taps():
    taps = matlab_gaussian_taps()
    assert taps.shape == (11,)  # 2 * ceil(3 * 1.5) + 1
    assert taps.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(taps, taps[::-1])
    assert taps[6] / taps[5] == pytest.approx(np.exp(-1 / (2 * 1.5**2)))


def test_ssim_matlab_constant_images_by_hand():
    # no variance anywhere: only the luminance term, (2ab + C1) / (a^2 + b^2 + C1)
    a = np.full((6, 7, 3), 100, np.uint8)
    b = np.full((6, 7, 3), 110, np.uint8)
    expected = (2 * 100 * 110 + C1) / (100**2 + 110**2 + C1)
    assert expected == pytest.approx(22006.5025 / 22106.5025, abs=1e-15)
    assert ssim_matlab(a, b) == pytest.approx(expected, abs=1e-12)
    assert ssim_matlab(a[..., 0], b[..., 0]) == pytest.approx(expected, abs=1e-12)
    assert ssim_matlab(a, a) == 1.0


def test_ssim_matlab_filters_across_channels_by_hand():
    # each channel constant over the image: the row / column filters do nothing,
    # the channel filter (11 taps, replicate padding over 3 channels) mixes the
    # channels into a local variance the per-channel SSIM cannot see
    ga, gb = (40.0, 120.0, 200.0), (60.0, 100.0, 230.0)
    a = np.broadcast_to(np.array(ga, np.uint8), (5, 4, 3))
    b = np.broadcast_to(np.array(gb, np.uint8), (5, 4, 3))
    taps = matlab_gaussian_taps()
    mix = np.zeros((3, 3))  # mix[c, j]: weight of channel j at channel c
    for c in range(3):
        for k, t in zip(range(-5, 6), taps, strict=True):
            mix[c, min(max(c + k, 0), 2)] += t
    assert mix.sum(1) == pytest.approx([1, 1, 1])
    x, y = np.array(ga), np.array(gb)
    mx, my = mix @ x, mix @ y
    vx, vy, cxy = mix @ x**2 - mx**2, mix @ y**2 - my**2, mix @ (x * y) - mx * my
    per_channel = ((2 * mx * my + C1) * (2 * cxy + C2)) / (
        (mx**2 + my**2 + C1) * (vx + vy + C2)
    )
    assert ssim_matlab(a, b) == pytest.approx(per_channel.mean(), abs=1e-12)
    # per channel in 2-D: no variance, the luminance term of each channel alone
    in_2d = np.mean([(2 * p * q + C1) / (p * p + q * q + C1) for p, q in zip(x, y)])
    assert abs(ssim_matlab(a, b) - in_2d) > 0.01


def test_ssim_matlab_matches_the_written_out_volume_filter():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-40, 41, a.shape), 0, 255).astype(np.uint8)
    assert ssim_matlab(a, b) == pytest.approx(matlab_ssim_oracle(a, b), abs=1e-12)
    gray_a, gray_b = a[..., 1], b[..., 1]  # (H, W): a 2-D filter, as MATLAB
    assert ssim_matlab(gray_a, gray_b) == pytest.approx(
        matlab_ssim_oracle(gray_a, gray_b), abs=1e-12
    )
    # equal channels: the channel filter is neutral, the volume SSIM is the 2-D one
    rgb_a, rgb_b = (
        np.repeat(gray_a[..., None], 3, -1),
        np.repeat(gray_b[..., None], 3, -1),
    )
    assert ssim_matlab(rgb_a, rgb_b) == pytest.approx(
        ssim_matlab(gray_a, gray_b), abs=1e-12
    )
    # 1-pixel and 2-channel edge cases still follow the oracle (replicate padding)
    assert ssim_matlab(a[:1, :2], b[:1, :2]) == pytest.approx(
        matlab_ssim_oracle(a[:1, :2], b[:1, :2]), abs=1e-12
    )
    assert ssim_matlab(a[..., :2], b[..., :2]) == pytest.approx(
        matlab_ssim_oracle(a[..., :2], b[..., :2]), abs=1e-12
    )


def test_ssim_matlab_on_a_real_photograph_differs_from_the_2d_mean(data_dir):
    from scipy.ndimage import uniform_filter1d

    gt = read_rgb(data_dir / 'places/test1.jpg')
    # 5-pixel horizontal motion blur, rounded: PSNR in the GoPro range
    pred = np.rint(uniform_filter1d(gt.astype(np.float64), 5, axis=1)).astype(np.uint8)
    assert 25 < psnr(pred, gt) < 40
    volume = ssim_matlab(pred, gt)
    per_channel = np.mean([ssim_matlab(pred[..., c], gt[..., c]) for c in range(3)])
    assert 0.8 < per_channel < volume < 1
    assert volume - per_channel > 0.01  # not "the third decimal"
    crop = np.s_[200:232, 300:340]  # the oracle is slow: a crop
    assert ssim_matlab(pred[crop], gt[crop]) == pytest.approx(
        matlab_ssim_oracle(pred[crop], gt[crop]), abs=1e-12
    )


def test_ssim_matlab_refuses_bad_input():
    a = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match=r'\(8, 8, 3\) differs from reference'):
        ssim_matlab(a, np.zeros((8, 9, 3), np.uint8))
    with pytest.raises(TypeError, match='uint8'):
        ssim_matlab(a.astype(np.float32), a.astype(np.float32))
    with pytest.raises(ValueError, match=r'\(H, W\) or \(H, W, C\)'):
        ssim_matlab(a[None], a[None])
    with pytest.raises(ValueError, match='non-empty'):
        ssim_matlab(a[:0], a[:0])
