"""Shrink a real config so that it trains in seconds on a CPU (conventions §7)."""

import os
import subprocess
import sys
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


def use_demo_loaders(
    cfg: Config,
    data_root: str | Path,
    size: int = 32,
    dataset: str = 'configs/_base_/datasets/demo.py',
) -> Config:
    """Replace the train/val/test dataloaders with the demo ones (``size`` crops).

    The real datasets need downloaded images and NVIDIA masks; the demo data set
    (``prepare_demo_data``; ``dataset='configs/_base_/datasets/demo_face.py'`` for
    the face demo of ``prepare_face_demo_data``) is written to ``data_root``.
    Batch size 2.
    """
    demo = Config.fromfile(str(REPO / dataset))
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


def run_script(
    args: list[str], cwd: Path, extra_env: dict | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    """Run ``args`` (e.g. ``[sys.executable, 'tools/train.py', ...]``) in ``cwd``.

    The repository is on ``PYTHONPATH`` and torch uses one thread; stdout and
    stderr are captured as text; the return code is not checked.
    """
    env = {
        **os.environ,
        'PYTHONPATH': str(REPO),
        'OMP_NUM_THREADS': '1',
        **(extra_env or {}),
    }
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def write_random_tiny_hint(config: Path, ckpt: Path) -> tuple[Path, Path]:
    """Dump the tiny HINT demo config (dim 4, one block and head per level) to
    ``config`` and a generator-only checkpoint of random weights (seed 0) to
    ``ckpt``; returns ``(config, ckpt)``. Nothing is trained."""
    from mmengine.registry import init_default_scope

    from inpaintzoo.registry import MODELS

    cfg = shrink_generator(
        Config.fromfile(str(REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'))
    )
    cfg.dump(str(config))
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    net = MODELS.build(cfg.model)
    state = {f'generator.{k}': v for k, v in net.generator.state_dict().items()}
    torch.save(dict(state_dict=state), ckpt)
    return config, ckpt


def train_then_test(
    config: Path, cwd: Path, ckpt: Path, test_args: list[str], timeout: int = 300
) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """Run ``tools/train.py config``, check it wrote ``ckpt``, then
    ``tools/test.py config ckpt *test_args``; both must exit 0.

    Returns:
        tuple: the finished train and test processes (text stdout / stderr).
    """
    train = run_script(
        [sys.executable, str(REPO / 'tools/train.py'), str(config)],
        cwd,
        timeout=timeout,
    )
    assert train.returncode == 0, train.stderr[-3000:]
    assert ckpt.is_file()
    test = run_script(
        [
            sys.executable,
            str(REPO / 'tools/test.py'),
            str(config),
            str(ckpt),
            *test_args,
        ],
        cwd,
        timeout=timeout,
    )
    assert test.returncode == 0, test.stderr[-3000:]
    return train, test
