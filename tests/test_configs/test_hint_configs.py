"""Every HINT ablation config differs from the paper config only in its swap."""

from pathlib import Path
from typing import Any

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.models.layers import (
    GDFN,
    SCAL,
    SRSA,
    AttnFFNBlock,
    ChannelAttention,
    ConvEmbedding,
    GatedEmbedding,
    MaskAwareDownsample,
    PixelUnshuffleDownsample,
    SandwichBlock,
    StridedConvDownsample,
)
from inpaintzoo.registry import MODELS
from tests.conftest import REPO_ROOT
from tests.tiny_config import tiny_cfg, train_and_diff, use_demo_loaders

HINT_DIR = REPO_ROOT / 'configs' / 'hint'
PAPER = 'hint_1xb4-300k_celeba-hq-256x256.py'
GEN = 'model.generator.'

# ablation config -> (the leaf keys, dotted, that may differ from the paper config,
# then the (embedding, block, attention, down-sampler) types its generator builds)
ABLATIONS: dict[str, tuple[set[str], tuple[type, ...]]] = {
    'hint-pixelunshuffle_1xb4-300k_celeba-hq-256x256.py': (
        {GEN + 'down.type'},
        (GatedEmbedding, SandwichBlock, SCAL, PixelUnshuffleDownsample),
    ),
    'hint-stridedconv_1xb4-300k_celeba-hq-256x256.py': (
        {GEN + 'down.type'},
        (GatedEmbedding, SandwichBlock, SCAL, StridedConvDownsample),
    ),
    'hint-channelattn_1xb4-300k_celeba-hq-256x256.py': (
        # `_delete_` drops SCAL's bias=False; ChannelAttention's default is False too
        {GEN + 'block.attn.type', GEN + 'block.attn.bias'},
        (GatedEmbedding, SandwichBlock, ChannelAttention, MaskAwareDownsample),
    ),
    'hint-srsa_1xb4-300k_celeba-hq-256x256.py': (
        {GEN + 'block.attn.type'},
        (GatedEmbedding, SandwichBlock, SRSA, MaskAwareDownsample),
    ),
    'hint-attnffn_1xb4-300k_celeba-hq-256x256.py': (
        {GEN + 'block.type'},
        (GatedEmbedding, AttnFFNBlock, SCAL, MaskAwareDownsample),
    ),
    'hint-convembed_1xb4-300k_celeba-hq-256x256.py': (
        {GEN + 'embed.type'},
        (ConvEmbedding, SandwichBlock, SCAL, MaskAwareDownsample),
    ),
    'hint-baseline_1xb4-300k_celeba-hq-256x256.py': (
        {
            GEN + 'embed.type',
            GEN + 'block.type',
            GEN + 'block.attn.type',
            GEN + 'down.type',
        },
        (ConvEmbedding, AttnFFNBlock, ChannelAttention, PixelUnshuffleDownsample),
    ),
}
MISSING = object()


def _flat(tree: Any, prefix: str = '') -> dict[str, Any]:
    """Leaves of nested dicts as ``{'a.b.c': value}`` (lists are leaves)."""
    if not isinstance(tree, dict):
        return {prefix[:-1]: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out.update(_flat(value, f'{prefix}{key}.'))
    return out


def _merged(name: str) -> dict[str, Any]:
    return _flat(Config.fromfile(str(HINT_DIR / name)).to_dict())


def _changed_keys(name: str) -> set[str]:
    paper, ablation = _merged(PAPER), _merged(name)
    return {
        key
        for key in paper.keys() | ablation.keys()
        if paper.get(key, MISSING) != ablation.get(key, MISSING)
    }


def test_every_celeba_hq_ablation_is_listed() -> None:
    # variants of the model on the paper's data and recipe (not the thesis-loss or
    # demo configs, which change losses, schedule or data)
    found = {
        p.name
        for p in HINT_DIR.glob('hint-*_1xb4-300k_celeba-hq-256x256.py')
        if p.name != 'hint-thesis_1xb4-300k_celeba-hq-256x256.py'
    }
    assert found == set(ABLATIONS)


def test_flat_lists_leaves() -> None:
    assert _flat(dict(a=dict(b=1, c=[2]), d='x')) == {'a.b': 1, 'a.c': [2], 'd': 'x'}


@pytest.mark.parametrize('config', sorted(ABLATIONS))
def test_ablation_changes_only_its_swap(config: str) -> None:
    assert _changed_keys(config) == ABLATIONS[config][0]


@pytest.mark.parametrize('config', sorted(ABLATIONS))
def test_ablation_builds_intended_blocks(config: str) -> None:
    gen = Config.fromfile(str(HINT_DIR / config)).model.generator.to_dict()
    net = MODELS.build(
        dict(gen, dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])
    )
    embed, block, attn, down = ABLATIONS[config][1]
    assert type(net.embed) is embed
    for stage in (net.encoder1, net.encoder2, net.latent, net.decoder1):
        assert type(stage[0]) is block
        assert type(stage[0].attn) is attn
    for sampler in (net.down1, net.down2, net.down3):
        assert type(sampler) is down
    ffns = ('ffn1', 'ffn2') if block is SandwichBlock else ('ffn',)
    assert all(type(getattr(net.encoder2[0], f)) is GDFN for f in ffns)
    assert net.stride == 16


@pytest.fixture(scope='module')
def hint_demo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('hint_demo_data')
    prepare_demo_data(root, size=32)
    return root


@pytest.mark.slow
@pytest.mark.parametrize('config', sorted(ABLATIONS))
def test_ablation_trains_one_tiny_iteration(
    config: str, tmp_path: Path, hint_demo_root: Path
) -> None:
    init_default_scope('inpaintzoo')
    cfg = tiny_cfg(f'configs/hint/{config}', tmp_path, hint_demo_root, max_iters=1)
    cfg = use_demo_loaders(cfg, hint_demo_root, size=32)
    runner, changed = train_and_diff(cfg, tmp_path)
    after = runner.model.generator.state_dict()
    assert runner.iter == 1
    assert any('.attn.' in k for k in changed), changed[:5]
    assert any(k.startswith('down1.') for k in changed), changed[:5]
    assert all(torch.isfinite(v).all() for v in after.values())
