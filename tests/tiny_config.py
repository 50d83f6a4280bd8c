"""Shrink a real config so that it trains in seconds on a CPU (conventions §7)."""

from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from inpaintzoo.apis.runner_setup import build_runner

REPO = Path(__file__).resolve().parents[1]


def shrink_generator(cfg: Config) -> Config:
    """Generator of ``cfg`` at dim 4, one block and one head per level (in place)."""
    gen = cfg.model.generator
    gen.dim = 4
    gen.num_blocks = [1, 1, 1, 1]
    gen.num_heads = [1, 1, 1, 1]
    return cfg


def tiny_cfg(
    config: str | Path,
    work_dir: str | Path,
    data_root: str | Path,
    max_iters: int = 2,
) -> Config:
    """Load ``config`` and make it tiny: dim 4, one block per level, batch 2,
    ``max_iters`` iterations, L1 + GAN losses, checkpoints every iteration,
    demo data from ``data_root``, no workers."""
    cfg = shrink_generator(Config.fromfile(str(REPO / config)))
    cfg.model.losses = dict(l1=dict(type='L1Loss', loss_weight=1.0))
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = 10_000
    cfg.default_hooks.checkpoint.interval = 1
    cfg.default_hooks.checkpoint.max_keep_ckpts = 10
    cfg.default_hooks.logger.interval = 1
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[name]
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.dataset.data_root = str(data_root)
    cfg.train_dataloader.batch_size = 2
    cfg.randomness = dict(seed=0, deterministic=False)
    return cfg


def use_demo_loaders(cfg: Config, data_root: str | Path, size: int = 32) -> Config:
    """Replace the train/val/test dataloaders with the demo ones (``size`` crops).

    The real datasets need downloaded images and NVIDIA masks; the demo data set
    (``prepare_demo_data``) is written to ``data_root``. Batch size 2.
    """
    demo = Config.fromfile(str(REPO / 'configs/_base_/datasets/demo.py'))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        demo[name].dataset.data_root = str(data_root)
        for step in demo[name].dataset.pipeline:
            if step.type == 'CenterCropResize':
                step.size = size
        cfg[name] = demo[name]
    cfg.train_dataloader.batch_size = 2
    return cfg


def train_and_diff(cfg: Config, work_dir: str | Path) -> tuple[Runner, list[str]]:
    """Train ``cfg`` in ``work_dir``.

    Returns the runner and the generator's state-dict keys that training changed.
    """
    runner = build_runner(cfg)
    gen = runner.model.generator
    before = {k: v.clone() for k, v in gen.state_dict().items()}
    runner.train()
    after = gen.state_dict()
    return runner, [k for k in before if not torch.equal(before[k], after[k])]
