"""Every HINT ablation config (and ablation root) trains one tiny iteration (slow).

What each ablation changes relative to the paper config is checked for all models
in ``tests/test_configs/test_ablation_configs.py``; here the swaps that test cannot
see (a generator-wide option, loss weights) are checked on the built model.
"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.registry import MODELS
from tests.test_configs.config_diff import (
    REPO,
    ablation_configs,
    ablation_roots,
    changed_keys,
    flat,
    merged,
    own_assignments,
)
from tests.tiny_config import tiny_cfg, train_and_diff, use_demo_loaders

HINT_ABLATIONS = sorted(
    a.relative_to(a.parents[2]).as_posix()
    for a in [a for a, _ in ablation_configs()] + [r for r, _ in ablation_roots()]
    if a.parent.name == 'hint'
)
HINT_PAIRS = [(a, p) for a, p in ablation_configs() if a.parent.name == 'hint']
TINY = dict(dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])


@pytest.fixture(scope='module')
def hint_demo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('hint_demo_data')
    prepare_demo_data(root, size=32)
    return root


@pytest.mark.slow
@pytest.mark.parametrize('config', HINT_ABLATIONS)
def test_ablation_trains_one_tiny_iteration(
    config: str, tmp_path: Path, hint_demo_root: Path
) -> None:
    init_default_scope('inpaintzoo')
    cfg = tiny_cfg(config, tmp_path, hint_demo_root, max_iters=1)
    cfg = use_demo_loaders(cfg, hint_demo_root, size=32)
    runner, changed = train_and_diff(cfg, tmp_path)
    after = runner.model.generator.state_dict()
    assert runner.iter == 1
    assert any('.attn.' in k for k in changed), changed[:5]
    assert any(k.startswith('down1.') for k in changed), changed[:5]
    assert all(torch.isfinite(v).all() for v in after.values())


def _tiny_net(path: Path) -> torch.nn.Module:
    gen = Config.fromfile(str(path)).model.generator.to_dict()
    return MODELS.build(dict(gen, **TINY))


@pytest.mark.parametrize(
    ('ablation', 'paper'),
    [
        (a, p)
        for a, p in HINT_PAIRS
        if 'model.generator.reduce_last_skip' in changed_keys(p, a)
    ],
    ids=lambda p: p.stem,
)
def test_last_skip_row_adds_only_the_1x1_conv(ablation: Path, paper: Path):
    """Table 4.6: ``reduce1`` (2C -> C) appears; only the last decoder level and
    the output conv change width; every other tensor is built as in the paper."""
    net, ref = _tiny_net(ablation), _tiny_net(paper)
    c = TINY['dim']
    assert ref.reduce1 is None
    assert net.reduce1.weight.shape == (c, 2 * c, 1, 1)
    assert net.output.in_channels == c
    assert ref.output.in_channels == 2 * c
    changed = ('reduce1.', 'decoder1.', 'output.')
    sd, ref_sd = net.state_dict(), ref.state_dict()
    same = {k: v.shape for k, v in sd.items() if not k.startswith(changed)}
    assert same == {k: v.shape for k, v in ref_sd.items() if not k.startswith(changed)}
    img, mask = torch.rand(1, 3, 32, 32), torch.zeros(1, 1, 32, 32)
    mask[..., 8:20, 4:24] = 1
    assert net(img, mask).shape == img.shape


LOSS_ROWS = [
    (a, p)
    for a, p in HINT_PAIRS
    if any(
        k.startswith(('model.losses.', 'model.gan_loss.')) for k in changed_keys(p, a)
    )
]


@pytest.mark.parametrize(('ablation', 'paper'), LOSS_ROWS, ids=lambda p: p.stem)
def test_loss_rows_build_their_weights(ablation: Path, paper: Path):
    """Table 4.9: the built inpaintor's loss modules carry the file's weights."""
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(str(ablation))
    cfg.model.generator.update(TINY)
    for name in ('perceptual', 'style'):  # no download: random VGG
        if name in cfg.model.losses:
            cfg.model.losses[name].feature_net = dict(weights=None)
    model = MODELS.build(cfg.model)
    written = flat(own_assignments(ablation))
    weights = {k: v for k, v in written.items() if k.endswith('.loss_weight')}
    assert weights
    for key, value in weights.items():
        path = key.split('.')[1:-1]  # model.losses.l1.loss_weight -> losses, l1
        module = model
        for part in path:
            module = (
                module[part]
                if isinstance(module, torch.nn.ModuleDict)
                else getattr(module, part)
            )
        assert module.loss_weight == pytest.approx(value), key


@pytest.mark.slow
def test_no_two_hint_ablations_are_the_same_experiment():
    """Rows that the thesis prints twice (4.4 B = 4.5 SCAL-FFN, 4.4 D = 4.8 CD) share
    one config; no two files merge to the same config."""
    seen: dict[str, str] = {}
    for rel in HINT_ABLATIONS:
        cfg = merged(REPO / rel)
        key = repr(sorted((k, repr(v)) for k, v in cfg.items()))
        assert key not in seen, f'{rel} is the same experiment as {seen.get(key)}'
        seen[key] = rel
