"""``InpaintVisualizationHook``: what the grid tiles show and which samples."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from inpaintzoo.engine.hooks import visualization_hook as vh
from inpaintzoo.structures import InpaintSample


def sample(seed: int, size: int = 8) -> InpaintSample:
    g = torch.Generator().manual_seed(seed)
    gt = torch.rand(3, size, size, generator=g)
    mask = torch.zeros(1, size, size)
    mask[:, 2:5, 3:7] = 1
    raw = torch.rand(3, size, size, generator=g)
    s = InpaintSample()
    s.set_data(
        dict(gt_img=gt, mask=mask, raw_img=raw, pred_img=raw * mask + gt * (1 - mask))
    )
    return s


def tiles(row: np.ndarray, size: int = 8) -> list[np.ndarray]:
    return [row[:, i * (size + 2) : i * (size + 2) + size] for i in range(5)]


def test_input_tile_is_the_masked_image_the_generator_sees():
    s = sample(0)
    inp, mask, out, comp, truth = tiles(vh.make_grid_row(s, fill_value=1.0))
    hole = s.mask[0].bool().numpy()
    assert (inp[hole] == 255).all()  # holes filled with the generator's fill value
    assert np.array_equal(inp[~hole], truth[~hole])
    assert not np.array_equal(inp, truth)
    assert (mask[hole] == 255).all()
    assert (mask[~hole] == 0).all()
    assert np.array_equal(out, vh.to_uint8_hwc(s.raw_img))
    assert np.array_equal(comp, vh.to_uint8_hwc(s.pred_img))
    grey, _, _, _, _ = tiles(vh.make_grid_row(s, fill_value=0.5))
    assert (grey[hole] == 128).all()


class Recorder:
    def __init__(self):
        self.images = {}

    def add_image(self, name, image, step=0):
        self.images[f'{name}_{step}'] = image


def fake_runner(n_val: int, n_test: int, iteration: int = 7):
    def loop(n):
        return SimpleNamespace(dataloader=SimpleNamespace(sampler=range(n)))

    return SimpleNamespace(
        model=SimpleNamespace(generator=SimpleNamespace(fill_value=1.0)),
        val_loop=loop(n_val),
        test_loop=loop(n_test),
        _train_loop=SimpleNamespace(iter=iteration),  # built: training runs
    )


def run(hook, runner, mode: str, samples: list, batch: int = 1) -> None:
    getattr(hook, f'before_{mode}_epoch')(runner)
    for idx in range(0, len(samples), batch):
        getattr(hook, f'after_{mode}_iter')(
            runner, idx, None, samples[idx : idx + batch]
        )
    getattr(hook, f'after_{mode}_epoch')(runner, {})


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(
        vh.Visualizer, 'get_current_instance', staticmethod(lambda: rec)
    )
    return rec


class TestOnlyRunner:
    """A runner of ``tools/test.py``: the train loop is still a config dict."""

    def __init__(self):
        self.model = SimpleNamespace(generator=SimpleNamespace(fill_value=1.0))
        self.test_loop = fake_runner(0, 2).test_loop
        self._train_loop = dict(type='IterBasedTrainLoop', max_iters=10)

    @property
    def iter(self) -> int:
        raise AssertionError('runner.iter builds the train loop and its data set')


def test_test_only_run_never_builds_the_train_loop(recorder):
    hook = vh.InpaintVisualizationHook(max_images=2)
    run(hook, TestOnlyRunner(), 'test', [sample(0), sample(1)])
    assert sorted(recorder.images) == ['test_grid_0']


def test_one_grid_per_run_with_all_test_images(recorder):
    hook = vh.InpaintVisualizationHook(max_images=8)
    runner = fake_runner(n_val=4, n_test=8)
    run(hook, runner, 'val', [sample(100 + i) for i in range(4)])
    run(hook, runner, 'test', [sample(i) for i in range(8)], batch=3)
    assert sorted(recorder.images) == ['test_grid_7', 'val_grid_7']
    test_grid, val_grid = recorder.images['test_grid_7'], recorder.images['val_grid_7']
    header = vh.grid_header(8).shape[0]
    assert test_grid.shape == (header + 8 * 8, 5 * 8 + 8, 3)  # all 8 test samples
    assert val_grid.shape == (header + 4 * 8, 5 * 8 + 8, 3)
    rows = [test_grid[header + 8 * i : header + 8 * (i + 1)] for i in range(8)]
    for i, row in enumerate(rows):
        assert np.array_equal(row, vh.make_grid_row(sample(i)))


def test_large_runs_show_samples_spread_over_the_data(recorder):
    hook = vh.InpaintVisualizationHook(max_images=3)
    run(hook, fake_runner(0, 9), 'test', [sample(i) for i in range(9)], batch=2)
    grid = recorder.images['test_grid_7']
    header = vh.grid_header(8).shape[0]
    shown = [grid[header + 8 * i : header + 8 * (i + 1)] for i in range(3)]
    for row, idx in zip(shown, (0, 4, 8)):
        assert np.array_equal(row, vh.make_grid_row(sample(idx)))
    assert vh.evenly_spaced(2, 8) == {0, 1}
