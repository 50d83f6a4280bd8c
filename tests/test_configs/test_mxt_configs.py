"""Every MxT config keeps the paper recipe and trains one tiny iteration (slow).

What each ablation changes relative to the paper config is checked for all models
in ``tests/test_configs/test_ablation_configs.py``.
"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from tests.tiny_config import REPO, tiny_cfg, train_and_diff, use_demo_loaders

# the paper-recipe and ablation configs (the README demo config trains without VGG
# losses and is covered by tests/test_configs/test_all_configs.py)
CONFIGS = sorted(
    p.relative_to(REPO).as_posix()
    for p in (REPO / 'configs/mxt').glob('*.py')
    if '_demo-' not in p.name
)


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('mxt_demo_data')
    prepare_demo_data(root, size=32)
    return root


@pytest.mark.parametrize('config', CONFIGS)
def test_config_recipe(config: str) -> None:
    cfg = Config.fromfile(str(REPO / config))
    losses = cfg.model.losses
    assert losses.l1.divide_by_hole_ratio is False
    assert (
        losses.l1.loss_weight,
        losses.perceptual.loss_weight,
        losses.style.loss_weight,
    ) == (1.0, 0.1, 250.0)
    assert (cfg.model.gan_loss.gan_type, cfg.model.gan_loss.loss_weight) == (
        'lsgan',
        0.01,
    )
    assert cfg.optim_wrapper.generator.optimizer.lr == 1e-4
    assert cfg.optim_wrapper.discriminator.optimizer.lr == 1e-5
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.model.generator.stride == 8


@pytest.mark.slow
@pytest.mark.parametrize('config', CONFIGS)
def test_tiny_config_trains_one_iteration(
    config: str, tmp_path: Path, demo_data: Path
) -> None:
    init_default_scope('inpaintzoo')
    cfg = tiny_cfg(config, tmp_path, demo_data, max_iters=1)
    cfg = use_demo_loaders(cfg, demo_data, size=32)
    cfg.default_hooks.checkpoint.interval = 10
    runner, changed = train_and_diff(cfg, tmp_path)
    assert runner.iter == 1
    after = runner.model.generator.state_dict()
    assert all(torch.isfinite(v).all() for v in after.values())
    assert any('.mamba.' in k or '.attn.' in k for k in changed), changed[:5]
