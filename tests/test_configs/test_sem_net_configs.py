"""Every SEM-Net config keeps the paper recipe and trains one tiny iteration (slow).

What each ablation changes relative to the paper config is checked for all models
in ``tests/test_configs/test_ablation_configs.py``.
"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from tests.conftest import REPO_ROOT
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
    assert (gen.type, gen.embed.type, gen.block.type) == (
        'InpaintUNet',
        'ConvEmbedding',
        'SEMBlock',
    )
    assert (gen.dim, gen.num_blocks, gen.stride) == (48, [4, 6, 6, 8], 16)
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


def test_duplicate_configs_equal_a_trained_one():
    dup = {Path(c).name: Path(r).name for c, r in REPS.items() if c != r}
    assert dup == {
        'sem-t52d_celebahq.py': 'sem-gdfn_celebahq.py',
        'sem-t52e_celebahq.py': 'sem-raster_celebahq.py',
        'sem-t52f_celebahq.py': 'sem-nope_celebahq.py',
        'sem_celebahq.py': 'sem-t52g_celebahq.py',
        'sem_places2.py': 'sem-t52g_celebahq.py',
    }
    for config, rep in REPS.items():
        assert _model_cfg(config) == _model_cfg(rep)


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
