"""Shrink a real config so that it trains in seconds on a CPU (conventions §7)."""

from pathlib import Path

from mmengine.config import Config

REPO = Path(__file__).resolve().parents[1]


def tiny_cfg(
    config: str | Path,
    work_dir: str | Path,
    data_root: str | Path,
    max_iters: int = 2,
) -> Config:
    """Load ``config`` and make it tiny: dim 4, one block per level, batch 2,
    ``max_iters`` iterations, L1 + GAN losses, checkpoints every iteration,
    demo data from ``data_root``, no workers."""
    cfg = Config.fromfile(str(REPO / config))
    gen = cfg.model.generator
    gen.dim = 4
    gen.num_blocks = [1, 1, 1, 1]
    gen.num_heads = [1, 1, 1, 1]
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
