"""Fixtures of the inference-API tests: a tiny HINT and its checkpoints."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS
from tests.test_apis.tiny_inpaintor import tiny_config
from tests.tiny_config import REPO, shrink_generator


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """One intra-op thread: tiny convolutions on a shared, busy CPU run ~10x
    faster than with several threads waiting for each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope='module')
def tiny_cfg() -> Config:
    return tiny_config()


@pytest.fixture(scope='module')
def trained_model(tiny_cfg):
    """A randomly initialised tiny GANInpaintor (seeded), eval mode."""
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    return MODELS.build(tiny_cfg.model).eval()


@pytest.fixture(scope='module')
def generator_ckpt(trained_model, tmp_path_factory) -> Path:
    """Generator-only published checkpoint of ``trained_model``."""
    path = tmp_path_factory.mktemp('ckpt') / 'gen_only.pth'
    state = {
        f'generator.{k}': v for k, v in trained_model.generator.state_dict().items()
    }
    torch.save(dict(state_dict=state, meta=dict(note='generator only')), path)
    return path


@pytest.fixture(scope='module')
def loaded_model(tiny_cfg, generator_ckpt):
    """``generator_ckpt`` loaded by ``init_model`` on the CPU (the API's way)."""
    from inpaintzoo.apis import init_model

    return init_model(tiny_cfg, str(generator_ckpt), device='cpu')


@pytest.fixture(scope='module')
def tiny_mxt_config(tmp_path_factory) -> Path:
    """The tiny MxT demo config (img_size 64), shrunk and dumped."""
    cfg = shrink_generator(
        Config.fromfile(str(REPO / 'configs/mxt/mxt-tiny_1xb4-300_demo-64x64.py'))
    )
    path = tmp_path_factory.mktemp('cfg') / 'tiny_mxt.py'
    cfg.dump(str(path))
    return path
