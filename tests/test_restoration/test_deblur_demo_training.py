"""A tiny SEM-Net deblurrer trains on the synthetic demo (CPU) and beats its input."""

from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from inpaintzoo.evaluation.metrics.restoration_metric import RestorationMetric

from .conftest import DEMO_CONFIG


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory) -> Path:
    pytest.importorskip('skimage')
    from inpaintzoo.datasets.demo import prepare_demo_data

    root = tmp_path_factory.mktemp('demo') / 'demo'
    prepare_demo_data(root, size=64)
    return root


@pytest.mark.slow
def test_tiny_deblurrer_improves_psnr_over_the_blurred_input(demo_root, tmp_path):
    cfg = Config.fromfile(str(DEMO_CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(demo_root)
    iters = 40
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_iters, cfg.train_cfg.val_interval = iters, iters + 1
    cfg.optim_wrapper.optimizer.lr = 2e-3
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**6)
    cfg.log_level = 'WARNING'
    cfg.randomness = dict(seed=0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the shared CI CPUs: threads only contend
    try:
        runner = Runner.from_cfg(cfg)
        test_set = runner.test_dataloader.dataset
        score = RestorationMetric().score
        blurred = np.mean(
            [
                score(s['inputs']['img'] / 255.0, s['inputs']['gt'] / 255.0)['PSNR']
                for s in (test_set[i] for i in range(len(test_set)))
            ]
        )
        runner.train()
        metrics = runner.test()
    finally:
        torch.set_num_threads(threads)
    print(f'blurred PSNR {blurred:.3f}, restored {metrics["restore/PSNR"]:.3f}')
    assert metrics['restore/images'] == len(test_set) == 8
    # the untrained restorer is the identity (zero output conv): blurred PSNR
    assert metrics['restore/PSNR'] > blurred + 0.1, (metrics, blurred)
