"""Every SEM-Net config keeps the paper recipe and trains one tiny iteration (slow).

What each ablation row changes relative to the config it derives from is checked
for all models in ``tests/test_configs/test_ablation_configs.py``; here: the
ablation root (halved model, 30k schedule), that every row derives from it, the
64x64 rows' data swap, that no two configs are the same experiment, and that every
row is documented.
"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from tests.conftest import REPO_ROOT
from tests.test_configs.chapter5 import (
    ablation_root,
    ablation_rows,
    chain,
    check_documented_parameter_counts,
    check_no_two_configs_are_the_same_experiment,
    check_root_halves_the_paper_model,
    check_rows_are_documented,
    check_rows_derive_from_the_root,
)
from tests.test_configs.config_diff import paper_config
from tests.tiny_config import tiny_cfg, train_and_diff, use_demo_loaders

CONFIGS = sorted(
    p.relative_to(REPO_ROOT).as_posix()
    for p in (REPO_ROOT / 'configs' / 'sem_net').glob('*.py')
    if '_demo-' not in p.name  # the README demo config: see test_all_configs.py
)


@pytest.fixture(scope='module')
def sem_demo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('sem_demo_data')
    prepare_demo_data(root, size=64)
    return root


@pytest.mark.parametrize('config', CONFIGS)
def test_config_keeps_recipe(config):
    cfg = Config.fromfile(str(REPO_ROOT / config))
    gen = cfg.model.generator
    assert (gen.type, gen.embed.type) == ('InpaintUNet', 'ConvEmbedding')
    assert (gen.dim, gen.stride) == (48, 16)
    assert cfg.model.losses.l1.divide_by_hole_ratio is True
    assert (cfg.model.losses.style.loss_weight, cfg.model.gan_loss.loss_weight) == (
        250.0,
        0.01,
    )
    assert cfg.train_dataloader.batch_size == 4


def _model_cfg(config: str) -> dict:
    return Config.fromfile(str(REPO_ROOT / config)).model.to_dict()


def _representatives() -> dict[str, str]:
    # configs whose whole model config equals an earlier one train once
    reps: dict[str, str] = {}
    for config in CONFIGS:
        model = _model_cfg(config)
        reps[config] = next(
            (r for r in dict.fromkeys(reps.values()) if _model_cfg(r) == model), config
        )
    return reps


REPS = _representatives()
TRAINED = sorted(set(REPS.values()))


PAPER = REPO_ROOT / 'configs/sem_net/sem_celebahq.py'
ROOT = ablation_root('sem_net')
ROWS = ablation_rows('sem_net')


def test_ablation_root_halves_the_paper_model_and_uses_the_shared_schedule():
    check_root_halves_the_paper_model(ROOT, PAPER)


def test_every_ablation_row_derives_from_the_root():
    paper_configs = {'sem_celebahq.py', 'sem_places2.py'}
    check_rows_derive_from_the_root(ROOT, ROWS, CONFIGS, paper_configs)


def test_no_two_configs_are_the_same_experiment():
    check_no_two_configs_are_the_same_experiment(CONFIGS)


@pytest.mark.parametrize('row', [p for p in ROWS if p.stem.endswith('-64x64')])
def test_64x64_rows_change_only_the_crop_size(row):
    """The 64x64 data equals its base's 256x256 data with every crop at 64."""
    first_64 = next(p for p in reversed(chain(row)) if '64x64' in p.name)
    base = paper_config(first_64)
    mine, ref = Config.fromfile(str(first_64)), Config.fromfile(str(base))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        steps = mine[loader].dataset.pipeline
        sizes = [s.size for s in steps if 'size' in s]
        assert sizes == [64], loader
        at_256 = [dict(s, size=256) if 'size' in s else dict(s) for s in steps]
        assert at_256 == [dict(s) for s in ref[loader].dataset.pipeline], loader
        mine[loader].dataset.pipeline = ref[loader].dataset.pipeline
    assert mine.to_dict() == ref.to_dict()


def test_rows_are_documented():
    check_rows_are_documented('sem_net', ROOT, ROWS)


@pytest.mark.slow
def test_documented_parameter_counts_match_the_built_generators():
    """docs/ablations.md's "G params" column, one row per config (built full size)."""
    init_default_scope('inpaintzoo')
    check_documented_parameter_counts('sem_net', ROOT, ROWS)


@pytest.mark.slow
@pytest.mark.parametrize('config', TRAINED)
def test_config_trains_one_tiny_iteration(config, tmp_path, sem_demo_root):
    init_default_scope('inpaintzoo')
    cfg = tiny_cfg(config, tmp_path, sem_demo_root, max_iters=1)
    # demo data cropped to 32x32 (two U-Net strides) to keep the Mamba scans short
    cfg = use_demo_loaders(cfg, sem_demo_root, size=32)
    runner, changed = train_and_diff(cfg, tmp_path)
    after = runner.model.generator.state_dict()
    assert runner.iter == 1
    assert 'output.weight' in changed
    assert 'embed.proj.weight' in changed
    assert all(torch.isfinite(v).all() for v in after.values())
