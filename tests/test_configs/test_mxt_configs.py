"""Every MxT config builds, and trains one iteration when shrunk with ``tiny_cfg``."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.engine import trust_directory
from inpaintzoo.models.layers import CBFN, GDFN, SRSA, HybridBlock, MambaLayer
from inpaintzoo.registry import MODELS
from tests.tiny_config import REPO, tiny_cfg

# the paper-recipe and ablation configs (the README demo config trains without VGG
# losses and is covered by tests/test_configs/test_all_configs.py)
CONFIGS = sorted(
    p.relative_to(REPO).as_posix()
    for p in (REPO / 'configs/mxt').glob('*.py')
    if '_demo-' not in p.name
)
# block swaps of the Table 5.1 ablations: (block type, token mixer(s), FFN type)
ABLATIONS = {
    'mxt_places2.py': (HybridBlock, (MambaLayer, SRSA), CBFN),
    'mxt_celebahq.py': (HybridBlock, (MambaLayer, SRSA), CBFN),
    'mxt-gdfn_celebahq.py': (HybridBlock, (MambaLayer, SRSA), GDFN),
    'mxt-srsa-cbfn_celebahq.py': ('AttnFFNBlock', (SRSA,), CBFN),
    'mxt-mamba-cbfn_celebahq.py': ('AttnFFNBlock', (MambaLayer,), CBFN),
    'mxt-srsa-gdfn_celebahq.py': ('AttnFFNBlock', (SRSA,), GDFN),
    'mxt-mamba-gdfn_celebahq.py': ('AttnFFNBlock', (MambaLayer,), GDFN),
}


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('mxt_demo_data')
    prepare_demo_data(root, size=32)
    return root


def _on_demo_data(cfg: Config, data_root: Path) -> Config:
    """Swap the dataset pipelines for the demo ones (32x32 crops)."""
    demo = Config.fromfile(str(REPO / 'configs/_base_/datasets/demo.py'))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].dataset = demo[name].dataset
        cfg[name].dataset.data_root = str(data_root)
        for step in cfg[name].dataset.pipeline:
            if step['type'] == 'CenterCropResize':
                step['size'] = 32
    return cfg


def test_every_config_is_listed() -> None:
    assert {Path(c).name for c in CONFIGS} == set(ABLATIONS)


@pytest.mark.parametrize('config', CONFIGS)
def test_config_recipe_and_blocks(config: str) -> None:
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
    gen = dict(
        cfg.model.generator, dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2]
    )
    net = MODELS.build(gen)
    block_type, mixers, ffn = ABLATIONS[Path(config).name]
    blk = net.encoder2[0]
    assert type(blk).__name__ == getattr(block_type, '__name__', block_type)
    found = (
        [type(blk.mamba), type(blk.attn)]
        if isinstance(blk, HybridBlock)
        else [type(blk.attn)]
    )
    assert tuple(found) == mixers
    assert type(blk.ffn) is ffn
    assert net.stride == 8


@pytest.mark.slow
@pytest.mark.parametrize('config', CONFIGS)
def test_tiny_config_trains_one_iteration(
    config: str, tmp_path: Path, demo_data: Path
) -> None:
    init_default_scope('inpaintzoo')
    cfg = _on_demo_data(tiny_cfg(config, tmp_path, demo_data, max_iters=1), demo_data)
    cfg.default_hooks.checkpoint.interval = 10
    trust_directory(tmp_path)
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.generator.state_dict().items()}
    runner.train()
    assert runner.iter == 1
    after = runner.model.generator.state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert any('.mamba.' in k or '.attn.' in k for k in changed), changed[:5]
