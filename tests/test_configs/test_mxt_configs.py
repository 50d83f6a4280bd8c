"""Every MxT config keeps the paper recipe and trains one tiny iteration (slow).

What each ablation row changes relative to the config it derives from is checked
for all models in ``tests/test_configs/test_ablation_configs.py``; here: the
ablation root (halved model, 30k schedule), that every row derives from it, that
no two configs are the same experiment, and that every row is documented.
"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.registry import MODELS
from tests.test_configs.chapter5 import (
    ablation_root,
    ablation_rows,
    check_documented_parameter_counts,
    check_no_two_configs_are_the_same_experiment,
    check_root_halves_the_paper_model,
    check_rows_are_documented,
    check_rows_derive_from_the_root,
)
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


PAPER = REPO / 'configs/mxt/mxt_celebahq.py'
ROOT = ablation_root('mxt')
ROWS = ablation_rows('mxt')
TINY = dict(dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])


def test_ablation_root_halves_the_paper_model_and_uses_the_shared_schedule():
    check_root_halves_the_paper_model(ROOT, PAPER)


def test_every_ablation_row_derives_from_the_root():
    paper_configs = {'mxt_celebahq.py', 'mxt_places2.py'}
    check_rows_derive_from_the_root(ROOT, ROWS, CONFIGS, paper_configs)


def test_no_two_configs_are_the_same_experiment():
    check_no_two_configs_are_the_same_experiment(CONFIGS)


def test_rows_are_documented():
    check_rows_are_documented('mxt', ROOT, ROWS)


def _tiny(path: Path) -> torch.nn.Module:
    gen = Config.fromfile(str(path)).model.generator.to_dict()
    return MODELS.build(dict(gen, **TINY))


def test_single_mamba_branch_is_the_hybrid_modules_mamba_branch():
    """Table 5.1 (b)'s MambaMixer equals the root's Mamba branch (PE, Mamba sizes)."""
    init_default_scope('inpaintzoo')
    row = next(p for p in ROWS if 'wo-srsa' in p.name)
    single, hybrid = _tiny(row).encoder1[0].attn, _tiny(ROOT).encoder1[0].mamba
    assert type(single) is type(hybrid)
    shapes = {k: v.shape for k, v in single.state_dict().items()}
    assert shapes == {k: v.shape for k, v in hybrid.state_dict().items()}
    assert type(single.pos_embed) is type(hybrid.pos_embed)
    assert type(single.scanner) is type(hybrid.scanner)


@pytest.mark.slow
def test_documented_parameter_counts_match_the_built_generators():
    """docs/ablations.md's "G params" column, one row per config (built full size)."""
    init_default_scope('inpaintzoo')
    check_documented_parameter_counts('mxt', ROOT, ROWS)


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
    assert 'embed.proj.weight' in changed
    if cfg.model.generator.block.type != 'IdentityBlock':
        assert any('.mamba.' in k or '.attn.' in k for k in changed), changed[:5]
