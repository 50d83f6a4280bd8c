"""Fixtures of the console-script tests: a tiny HINT config and random weights."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'


@pytest.fixture(scope='module')
def tiny_model_files(tmp_path_factory) -> tuple[Path, Path]:
    """A dumped tiny HINT config and a generator-only random checkpoint."""
    pytest.importorskip('inpaintzoo.apis.inference')
    root = tmp_path_factory.mktemp('tiny')
    cfg = Config.fromfile(str(DEMO_CONFIG))
    gen = cfg.model.generator
    gen.dim, gen.num_blocks, gen.num_heads = 4, [1, 1, 1, 1], [1, 1, 1, 1]
    config = root / 'hint_tiny.py'
    cfg.dump(str(config))
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    net = MODELS.build(cfg.model)
    state = {f'generator.{k}': v for k, v in net.generator.state_dict().items()}
    ckpt = root / 'gen_only.pth'
    torch.save(dict(state_dict=state), ckpt)
    return config, ckpt
