"""Runner smoke tests: train, resume bit-exactly, test with the official metrics."""

import cv2
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.apis.runner_setup import build_runner
from inpaintzoo.evaluation.report import metrics_to_report
from inpaintzoo.utils.errors import CheckpointMismatchError
from tests.tiny_config import tiny_cfg

DEMO = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'


def train(work_dir, data_root, max_iters, resume_from=None):
    cfg = tiny_cfg(DEMO, work_dir, data_root, max_iters=max_iters)
    if resume_from is not None:
        cfg.resume = True
        cfg.load_from = str(resume_from)
    runner = build_runner(cfg)
    runner.train()
    return runner


def test_resume_is_bit_exact(tmp_path, demo_root):
    init_default_scope('inpaintzoo')
    train(tmp_path / 'a', demo_root, 2)
    resumed = train(
        tmp_path / 'a', demo_root, 4, resume_from=tmp_path / 'a' / 'iter_2.pth'
    )
    straight = train(tmp_path / 'b', demo_root, 4)
    assert resumed.iter == straight.iter == 4
    a, b = resumed.model.state_dict(), straight.model.state_dict()
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    opt_a = resumed.optim_wrapper['generator'].optimizer.state_dict()['state']
    opt_b = straight.optim_wrapper['generator'].optimizer.state_dict()['state']
    assert all(torch.equal(opt_a[0][k], opt_b[0][k]) for k in ('exp_avg', 'exp_avg_sq'))


def test_test_loop_reports_buckets_and_strict_loading(tmp_path, demo_root):
    init_default_scope('inpaintzoo')
    runner = train(tmp_path / 'w', demo_root, 1)
    metrics = runner.test()
    report = metrics_to_report(metrics)
    assert {'overall', '0.01-20%', '20-40%', '40-60%'} <= set(report)
    overall = report['overall']
    assert 5 < overall['PSNR'] < 100
    assert 0 < overall['SSIM'] <= 1
    assert 0 < overall['L1'] < 100
    # one grid per run: val (4 val crops, during training) != test (all 8 test crops)
    (test_grid,) = (tmp_path / 'w').rglob('vis_image/test_grid_1.png')
    (val_grid,) = (tmp_path / 'w').rglob('vis_image/val_grid_1.png')
    assert test_grid.parent == val_grid.parent
    assert test_grid.read_bytes() != val_grid.read_bytes()
    header = 14
    assert cv2.imread(str(test_grid)).shape == (header + 8 * 64, 5 * 64 + 8, 3)
    assert cv2.imread(str(val_grid)).shape[0] == header + 4 * 64

    # a checkpoint of another width is refused with an explanation
    bigger = tiny_cfg(DEMO, tmp_path / 'x', demo_root)
    bigger.model.generator.dim = 8
    other = Runner.from_cfg(bigger)
    with pytest.raises(CheckpointMismatchError, match='shape mismatches'):
        load_model_checkpoint(other.model, str(tmp_path / 'w' / 'iter_1.pth'))
