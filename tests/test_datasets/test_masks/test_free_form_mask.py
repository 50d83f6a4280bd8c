import numpy as np
import pytest

from inpaintzoo.datasets.masks import FreeFormMask, ratio_to_bucket
from inpaintzoo.utils.errors import ConfigError


def _make(**kwargs):
    cfg = dict(max_length=16, brush_width=(3, 8), max_vertices=8)
    cfg.update(kwargs)
    return FreeFormMask(**cfg)


def _run(masker, idx, shape=(64, 64)):
    out = masker.transform({'img': np.zeros((*shape, 3), np.uint8), 'sample_idx': idx})
    return out['mask']


def test_output_is_binary_float():
    mask = _run(_make(seed=0), 0)
    assert mask.shape == (64, 64)
    assert mask.dtype == np.float32
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert 0 < mask.mean() < 1


def test_deterministic_per_seed_and_sample_idx():
    a, b = _make(seed=3), _make(seed=3)
    np.testing.assert_array_equal(_run(a, 5), _run(b, 5))
    # order of fetches does not matter
    np.testing.assert_array_equal(_run(a, 7), _run(_make(seed=3), 7))
    assert not np.array_equal(_run(a, 5), _run(a, 6))
    assert not np.array_equal(_run(a, 5), _run(_make(seed=4), 5))


def test_unseeded_is_fresh_each_call():
    masker = _make()
    masks = [_run(masker, 0) for _ in range(3)]
    assert not all(np.array_equal(masks[0], m) for m in masks[1:])


@pytest.mark.parametrize('bucket', ['0.01-20%', '20-40%', '40-60%'])
def test_bucket_targeting(bucket):
    masker = _make(hole_ratio=bucket, seed=1)
    for idx in range(5):
        out = masker.transform(
            {'img': np.zeros((64, 64, 3), np.uint8), 'sample_idx': idx}
        )
        assert ratio_to_bucket(out['mask'].mean()) == bucket
        assert out['mask_bucket'] == bucket


def test_numeric_range_and_existing_bucket_kept():
    masker = _make(hole_ratio=(0.3, 0.35), seed=2)
    out = masker.transform(
        {'img': np.zeros((48, 40, 3), np.uint8), 'sample_idx': 0, 'mask_bucket': 'x'}
    )
    assert out['mask'].shape == (48, 40)
    assert 0.3 < out['mask'].mean() <= 0.35
    assert out['mask_bucket'] == 'x'


def test_bad_config():
    with pytest.raises(ConfigError, match='bucket label'):
        FreeFormMask(hole_ratio='10-30%')
    with pytest.raises(ConfigError, match='hole_ratio'):
        FreeFormMask(hole_ratio=(0.5, 0.2))
    with pytest.raises(ConfigError, match='brush_width'):
        FreeFormMask(brush_width=(10, 2))


def test_unreachable_range_raises():
    masker = FreeFormMask(brush_width=(30, 30), max_length=60, hole_ratio=(0.0, 0.001))
    with pytest.raises(RuntimeError, match='after'):
        masker.generate((32, 32), np.random.default_rng(0))


def _box_origin(mask: np.ndarray, side: int) -> tuple[int, int]:
    """(top, left) of the one side x side box of a mask whose stroke is tiny."""
    rows = np.flatnonzero(mask.sum(axis=1) >= side - 2)
    cols = np.flatnonzero(mask.sum(axis=0) >= side - 2)
    assert rows.size
    assert cols.size
    assert rows[-1] - rows[0] in (side - 1, side), rows  # a stroke pixel may touch
    return int(rows[0]), int(cols[0])


def test_boxes_are_placed_uniformly_down_to_the_last_row_and_column():
    # one 16 x 16 box (0.25 of 64) and one 1-pixel-wide stroke of a few pixels:
    # the box's top and left are uniform over 0..48
    masker = _make(
        seed=0,
        num_boxes=(1, 1),
        box_size=(0.25, 0.25),
        brush_width=(1, 1),
        max_length=3,
        max_vertices=2,
        max_strokes=1,
    )
    origins = np.array([_box_origin(_run(masker, i), 16) for i in range(600)])
    for axis in (0, 1):
        values = origins[:, axis]
        assert values.min() == 0
        assert values.max() == 48
        assert abs(values.mean() - 24) < 2.5  # sd of the mean ~ 0.58
        # the lower (right) third of the positions is drawn about a third of the time
        assert 0.25 < np.mean(values > 32) < 0.42
