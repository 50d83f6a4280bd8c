"""Random masks and blur kernels differ between ranks also with num_workers=0."""

# ruff: noqa: NPY002 - the global RNG (as MMEngine seeds it) is what is tested

import numpy as np
import pytest

from inpaintzoo.datasets import rank_rng
from inpaintzoo.datasets.masks import FreeFormMask
from inpaintzoo.datasets.transforms.motion_blur import RandomMotionBlur


def _mask(rank: int, monkeypatch) -> np.ndarray:
    monkeypatch.setattr(rank_rng, 'get_rank', lambda: rank)
    np.random.seed(10)  # MMEngine seeds every rank alike (diff_rank_seed=False)
    img = np.zeros((32, 32, 3), np.uint8)
    return FreeFormMask().transform(dict(img=img, sample_idx=None))['mask']


def _blur(rank: int, monkeypatch) -> np.ndarray:
    monkeypatch.setattr(rank_rng, 'get_rank', lambda: rank)
    np.random.seed(10)
    gt = np.random.default_rng(0).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    return RandomMotionBlur().transform(dict(gt=gt))['img']


@pytest.mark.parametrize('draw', [_mask, _blur])
def test_ranks_draw_differently_in_the_main_process(draw, monkeypatch):
    rank0, rank1, rank2 = (draw(r, monkeypatch) for r in (0, 1, 2))
    assert not np.array_equal(rank0, rank1)
    assert not np.array_equal(rank1, rank2)
    assert np.array_equal(rank1, draw(1, monkeypatch))  # still seeded


def test_rank_0_draws_as_before(monkeypatch):
    """Single-process and rank-0 masks are unchanged (default_rng(draw))."""
    mask = _mask(0, monkeypatch)
    np.random.seed(10)
    before = FreeFormMask().generate(
        (32, 32), np.random.default_rng(np.random.randint(0, 2**31 - 1))
    )
    assert np.array_equal(mask, before)


def test_workers_are_left_to_worker_init_fn(monkeypatch):
    monkeypatch.setattr(rank_rng, 'get_rank', lambda: 3)
    monkeypatch.setattr(rank_rng, 'get_worker_info', lambda: object())
    assert rank_rng.main_process_rank() == 0
