"""The ``*-thesis`` configs: the thesis text's settings as options of the code's recipe.

Every ``*-thesis`` config builds (shrunk, no feature-net download), and
``hint-thesis`` sets what ``configs/hint/README.md`` ("Code vs thesis") lists:
plain L1 (Eq. 4.9), the log-likelihood GAN (Eq. 4.12) with weight 0.001, VGG-16
pooling layers and the lr halved at 75 % of training (§4.3).
"""

from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS
from tests.test_configs.config_diff import changed_keys
from tests.test_configs.test_all_configs import shrink

REPO = Path(__file__).resolve().parents[2]
THESIS_CONFIGS = sorted((REPO / 'configs').glob('*/*-thesis_*.py'))
HINT_PAPER = REPO / 'configs/hint/hint_1xb4-300k_celeba-hq-256x256.py'
HINT_THESIS = REPO / 'configs/hint/hint-thesis_1xb4-300k_celeba-hq-256x256.py'


def test_there_are_thesis_configs() -> None:
    assert HINT_THESIS in THESIS_CONFIGS
    assert len(THESIS_CONFIGS) >= 2


@pytest.mark.parametrize(
    'path', THESIS_CONFIGS, ids=lambda p: f'{p.parent.name}/{p.stem}'
)
def test_thesis_config_builds(path: Path) -> None:
    init_default_scope('inpaintzoo')
    cfg, _, _ = shrink(Config.fromfile(str(path)))
    model = MODELS.build(cfg.model)
    assert model.generator is not None
    assert model.gan_loss.gan_type == 'nsgan'  # every thesis uses the log-loss GAN


def test_hint_thesis_sets_the_thesis_losses() -> None:
    init_default_scope('inpaintzoo')
    paper = Config.fromfile(str(HINT_PAPER)).model
    cfg = Config.fromfile(str(HINT_THESIS))
    assert (paper.gan_loss.gan_type, paper.losses.l1.divide_by_hole_ratio) == (
        'lsgan',
        True,
    )
    built = MODELS.build(shrink(cfg)[0].model)
    assert built.gan_loss.gan_type == 'nsgan'
    assert built.gan_loss.loss_weight == 0.001
    assert built.losses['l1'].divide_by_hole_ratio is False
    for name in ('perceptual', 'style'):
        loss = cfg.model.losses[name]
        assert loss.feature_net.arch == 'vgg16'
        assert loss.layers == ['pool1', 'pool2', 'pool3', 'pool4', 'pool5']
    for sched in cfg.param_scheduler.values():
        assert (sched[0].milestones, sched[0].gamma) == ([225_000], 0.5)
    assert changed_keys(HINT_PAPER, HINT_THESIS) >= {
        'model.gan_loss.gan_type',
        'model.losses.l1.divide_by_hole_ratio',
    }
