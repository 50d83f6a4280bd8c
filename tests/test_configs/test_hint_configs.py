"""Every HINT ablation config trains one tiny iteration (slow).

What each ablation changes relative to the paper config is checked for all models
in ``tests/test_configs/test_ablation_configs.py``.
"""

from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo import prepare_demo_data
from tests.test_configs.config_diff import block_ablations
from tests.tiny_config import tiny_cfg, train_and_diff, use_demo_loaders

HINT_ABLATIONS = sorted(
    a.relative_to(a.parents[2]).as_posix()
    for a, _ in block_ablations()
    if a.parent.name == 'hint'
)


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
