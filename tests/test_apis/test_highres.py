"""High-resolution strategies with stand-in forwards whose output is predictable."""

import itertools

import numpy as np
import pytest
import torch
from scipy import ndimage

from inpaintzoo.apis.highres import STRATEGIES, fit_size, run_strategy
from inpaintzoo.apis.highres_tiles import tile_grid, tile_starts
from inpaintzoo.apis.hole_windows import crop_windows, label_holes
from inpaintzoo.utils.errors import ConfigError, InvalidImageError, InvalidMaskError


class Recorder:
    """Forward stand-in: ``fn(img, mask)``, remembering every input shape/mask."""

    def __init__(self, fn=None):
        self.fn = fn or (lambda img, mask: torch.full_like(img, 0.7))
        self.calls: list[tuple[tuple[int, ...], torch.Tensor]] = []

    def __call__(self, img: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        self.calls.append((tuple(img.shape), mask.clone()))
        return self.fn(img, mask)


def pointwise(img: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Translation-equivariant (per-pixel) forward."""
    return img * 0.5 + 0.25


def make_pair(h: int, w: int, boxes, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    image = torch.rand(1, 3, h, w, generator=gen)
    mask = torch.zeros(1, 1, h, w)
    for top, bottom, left, right in boxes:
        mask[..., top:bottom, left:right] = 1
    return image, mask


# ------------------------------------------------------------------ arguments


def test_strategies_are_the_contract():
    assert STRATEGIES == ('whole', 'sliding', 'crop', 'resize')


@pytest.mark.parametrize(
    ('strategy', 'options', 'words'),
    [
        ('tiles', {}, ['tiles', 'whole', 'sliding', 'crop', 'resize']),
        ('sliding', {'tiles': 3}, ['tiles', 'tile', 'overlap']),
        ('whole', {'tile': 64}, ['tile', 'none']),
        ('sliding', {'tile': 64, 'overlap': 40}, ['overlap=40', 'tile=64']),
        ('crop', {'context': 0.5}, ['context', '0.5']),
    ],
)
def test_bad_strategy_or_option_names_it(strategy, options, words):
    image, mask = make_pair(8, 8, [(2, 4, 2, 4)])
    with pytest.raises(ConfigError) as err:
        run_strategy(strategy, Recorder(), image, mask, **options)
    for word in words:
        assert word in str(err.value)


def test_bad_shapes_are_refused():
    image, mask = make_pair(8, 8, [(2, 4, 2, 4)])
    with pytest.raises(InvalidImageError, match=r'\(N, 3, H, W\)'):
        run_strategy('whole', Recorder(), image[0], mask)
    with pytest.raises(InvalidMaskError, match=r'\(1, 1, 8, 8\)'):
        run_strategy('whole', Recorder(), image, mask[..., :4])
    with pytest.raises(RuntimeError, match='crop back'):
        run_strategy('resize', lambda i, m: i[..., :-1], image, mask)


# ---------------------------------------------------------------------- whole


def test_whole_is_one_forward_of_the_full_image():
    image, mask = make_pair(40, 56, [(3, 9, 5, 20)])
    rec = Recorder(pointwise)
    out = run_strategy('whole', rec, image, mask)
    assert [c[0] for c in rec.calls] == [(1, 3, 40, 56)]
    torch.testing.assert_close(out, pointwise(image, mask))


def test_batch_runs_image_by_image():
    image, mask = make_pair(32, 32, [(3, 9, 5, 20)])
    image2, mask2 = torch.cat([image, image.flip(-1)]), torch.cat([mask, mask.flip(-1)])
    out = run_strategy('crop', Recorder(), image2, mask2, train_size=16)
    assert out.shape == (2, 3, 32, 32)
    torch.testing.assert_close(
        out[1:], run_strategy('crop', Recorder(), image2[1:], mask2[1:], train_size=16)
    )


@pytest.mark.parametrize('strategy', ['sliding', 'crop', 'resize'])
def test_no_hole_means_no_network_call(strategy):
    image, mask = make_pair(64, 64, [])
    rec = Recorder()
    out = run_strategy(strategy, rec, image, mask, train_size=16)
    assert rec.calls == []
    torch.testing.assert_close(out, image)


# -------------------------------------------------------------------- sliding


@pytest.mark.parametrize('size', [1, 63, 64, 65, 100, 120, 121, 200, 1000, 2560])
@pytest.mark.parametrize(('tile', 'overlap'), [(64, 8), (64, 0), (512, 64), (64, 32)])
def test_tile_starts_cover_with_overlap(size, tile, overlap):
    starts = tile_starts(size, tile, overlap)
    length = min(tile, size)
    assert starts[0] == 0
    assert starts[-1] + length == size
    shared = [a + length - b for a, b in itertools.pairwise(starts)]
    assert all(s >= overlap for s in shared), shared
    assert starts == sorted(set(starts))


@pytest.mark.parametrize('shape', [(200, 330), (1400, 64), (45, 45), (1000, 900)])
def test_normalised_blend_weights_sum_to_one(shape):
    h, w = shape
    total = torch.zeros(h, w, dtype=torch.float64)
    grid = tile_grid(h, w, 64, 16)
    for (top, bottom, left, right), weight in grid:
        assert weight.shape == (bottom - top, right - left)
        assert bool((weight > 0).all())
        total[top:bottom, left:right] += weight
    assert bool((total > 0).all())  # every pixel covered
    normalised = torch.zeros_like(total)
    for (top, bottom, left, right), weight in grid:
        normalised[top:bottom, left:right] += weight / total[top:bottom, left:right]
    torch.testing.assert_close(normalised, torch.ones_like(total))


def test_feather_ramps_are_a_partition_of_unity_without_triple_overlap():
    # 1400 = 3 tiles of 512 with 68 px overlaps: complementary linear ramps sum to 1
    total = torch.zeros(1400, 512, dtype=torch.float64)
    for (top, bottom, left, right), weight in tile_grid(1400, 512, 512, 64):
        total[top:bottom, left:right] += weight
    torch.testing.assert_close(total, torch.ones_like(total))


# 120 px in 64 px tiles with overlap 16: starts 0, 28, 56, three tiles share 56..63
@pytest.mark.parametrize('shape', [(150, 170), (120, 120)])
def test_sliding_has_no_seams_for_an_equivariant_forward(shape):
    h, w = shape
    image, mask = make_pair(h, w, [(10, h - 10, 20, w - 10)])
    rec = Recorder(pointwise)
    out = run_strategy('sliding', rec, image, mask, tile=64, overlap=16)
    assert len(rec.calls) > 4
    hole = mask.bool().expand_as(image)
    zeroed = torch.where(mask > 0.5, 0.0, image)  # hole pixels are zeroed first
    torch.testing.assert_close(out[hole], pointwise(zeroed, mask)[hole])


def test_sliding_feathers_between_tile_outputs():
    # each tile answers with its own constant: the blend must move gradually
    # (at most one ramp step per pixel), never jump at a tile border
    values = iter(torch.linspace(0, 1, 50).tolist())
    rec = Recorder(lambda img, mask: torch.full_like(img, next(values)))
    image, mask = make_pair(96, 200, [(0, 96, 0, 200)])
    out = run_strategy('sliding', rec, image, mask, tile=64, overlap=16)[0, 0]
    consts = torch.linspace(0, 1, 50)[: len(rec.calls)]
    step = (consts.max() - consts.min()) / 17  # ramp of >= 16 px: <= 1/17 per px
    assert float(out.diff(dim=1).abs().max()) <= float(step) + 1e-6
    assert float(out.diff(dim=0).abs().max()) <= float(step) + 1e-6


def test_sliding_skips_tiles_without_holes():
    # 256x256 in 64 px tiles with 0 overlap -> 16 tiles; one hole inside one tile
    image, mask = make_pair(256, 256, [(70, 80, 140, 150)])
    rec = Recorder()
    out = run_strategy('sliding', rec, image, mask, tile=64, overlap=0)
    assert len(rec.calls) == 1
    assert rec.calls[0][0] == (1, 3, 64, 64)
    assert bool((out[..., 64:128, 128:192] == 0.7).all())
    outside = torch.ones(1, 1, 256, 256, dtype=torch.bool)
    outside[..., 64:128, 128:192] = False
    torch.testing.assert_close(
        out[outside.expand_as(out)], image[outside.expand_as(image)]
    )
    # a hole across a tile border is seen by both tiles; without skipping all run
    _, mask2 = make_pair(256, 256, [(60, 70, 10, 20)])
    rec2 = Recorder()
    run_strategy('sliding', rec2, image, mask2, tile=64, overlap=0)
    assert len(rec2.calls) == 2
    rec3 = Recorder()
    run_strategy('sliding', rec3, image, mask2, tile=64, overlap=0, skip_empty=False)
    assert len(rec3.calls) == 16


# ----------------------------------------------------------------------- crop


def scribbles(h: int, w: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mask = np.zeros((h, w), dtype=bool)
    for _ in range(12):
        y, x = rng.integers(0, h), rng.integers(0, w)
        mask[
            max(0, y - 3) : y + rng.integers(2, 40),
            max(0, x - 3) : x + rng.integers(2, 40),
        ] = True
    return mask


@pytest.mark.parametrize(('context', 'min_side'), [(1.0, 1), (2.0, 32), (3.0, 64)])
def test_crop_windows_cover_every_component_once(context, min_side):
    hole = scribbles(300, 420)
    labels, count = label_holes(hole)
    _ref, ref_count = ndimage.label(hole, structure=np.ones((3, 3)))
    assert count == ref_count
    assert count > 3
    windows = crop_windows(labels, context, min_side)
    owned = sorted(i for _, ids in windows for i in ids)
    assert owned == list(range(1, count + 1))  # each component in exactly one window
    for (top, bottom, left, right), ids in windows:
        assert 0 <= top < bottom <= 300
        assert 0 <= left < right <= 420
        assert bottom - top >= min(min_side, 300)
        assert right - left >= min(min_side, 420)
        inside = np.zeros_like(hole)
        inside[top:bottom, left:right] = True
        assert not (np.isin(labels, ids) & ~inside).any()
    for i, (a, _) in enumerate(windows):  # merged: no two windows intersect
        for b, _ in windows[i + 1 :]:
            assert not (a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3])


def test_crop_window_grows_with_context():
    labels, _ = label_holes(np.pad(np.ones((10, 20), bool), ((100, 100), (100, 100))))
    [((top, bottom, left, right), ids)] = crop_windows(labels, 3.0, 1)
    assert (bottom - top, right - left) == (30, 60)
    assert ids == [1]
    assert (top + bottom) / 2 == pytest.approx(105)
    assert (left + right) / 2 == pytest.approx(110)


@pytest.mark.parametrize(
    ('box', 'window'),
    [
        ((0, 4, 0, 6), (0, 8, 0, 12)),  # touches row 0 and column 0
        ((0, 3, 20, 25), (0, 6, 18, 28)),  # row 0 only
        ((10, 15, 0, 1), (8, 18, 0, 2)),  # column 0 only
        ((36, 40, 44, 50), (32, 40, 38, 50)),  # last row and last column
    ],
)
def test_crop_windows_of_holes_at_the_border_stay_inside_the_image(box, window):
    # grown around the centre, then shifted (not cut) to fit: the hole stays inside
    hole = np.zeros((40, 50), bool)
    top, bottom, left, right = box
    hole[top:bottom, left:right] = True
    [(got, ids)] = crop_windows(label_holes(hole)[0], 2.0, 1)
    assert got == window
    assert ids == [1]
    # a least side of the whole image: the window is exactly the image
    [(got, _)] = crop_windows(label_holes(hole)[0], 2.0, 100)
    assert got == (0, 40, 0, 50)


def test_crop_pastes_only_inside_the_hole():
    image, mask = make_pair(300, 420, [])
    mask[0, 0] = torch.from_numpy(scribbles(300, 420)).float()
    image[mask.expand_as(image) > 0.5] = float('nan')  # hole content must not leak
    rec = Recorder()
    out = run_strategy('crop', rec, image, mask, train_size=64, context=2.0)
    hole = mask.expand_as(out) > 0.5
    # bilinear upscaling of a constant is that constant up to rounding
    torch.testing.assert_close(out[hole], torch.full_like(out[hole], 0.7))
    torch.testing.assert_close(out[~hole], image[~hole])
    for shape, small_mask in rec.calls:
        assert shape[2] * shape[3] <= 64 * 64 * 1.05  # resized to ~train_size**2
        assert bool(small_mask.any())


def test_crop_without_resize_sees_the_window_at_full_resolution():
    image, mask = make_pair(200, 200, [(90, 100, 95, 105)])
    rec = Recorder(pointwise)
    out = run_strategy('crop', rec, image, mask, train_size=64, context=2.0)
    assert [c[0] for c in rec.calls] == [(1, 3, 64, 64)]
    hole = mask.expand_as(out) > 0.5
    torch.testing.assert_close(out[hole], torch.full_like(out[hole], 0.25))  # f(0)
    torch.testing.assert_close(out[~hole], image[~hole])


# --------------------------------------------------------------------- resize


def test_fit_size_keeps_aspect_and_budget():
    assert fit_size(100, 50, 256**2) == (100, 50)
    h, w = fit_size(1920, 2560, 256**2)
    assert (h, w) == (221, 295)
    assert h * w <= 256**2


def test_resize_upscales_only_the_hole():
    # a 1-px line hole survives downscaling (any hole pixel makes a hole cell)
    image, mask = make_pair(480, 640, [(200, 201, 100, 500)])
    rec = Recorder(lambda img, m: torch.where(m > 0.5, 0.9, 0.1).expand_as(img))
    out = run_strategy('resize', rec, image, mask, train_size=64)
    [(shape, small_mask)] = rec.calls
    assert shape == (1, 3, 55, 73)
    assert bool(small_mask.any())
    hole = mask.expand_as(out) > 0.5
    torch.testing.assert_close(out[~hole], image[~hole])
    assert bool((out[hole] > 0.1).all())
    # a hole of the whole image gets the network everywhere
    full = torch.ones_like(mask)
    out = run_strategy('resize', Recorder(), image, full, train_size=64)
    torch.testing.assert_close(out, torch.full_like(out, 0.7))
