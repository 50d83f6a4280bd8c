"""The ``*-thesis`` configs: the thesis text's settings as options of the code's recipe.

Every ``*-thesis`` config builds (shrunk, no feature-net download) and runs each
of its losses once (random VGG weights), and ``hint-thesis`` sets what
``configs/hint/README.md`` ("Code vs thesis") lists: plain L1 (Eq. 4.9), the
log-likelihood GAN (Eq. 4.12) with weight 0.001, VGG-16 pooling layers and the lr
halved at 75 % of training (§4.3).
"""

from pathlib import Path

import pytest
import torch
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


@pytest.mark.parametrize(
    'path', THESIS_CONFIGS, ids=lambda p: f'{p.parent.name}/{p.stem}'
)
def test_thesis_config_losses_run_once(path: Path) -> None:
    """One forward of every loss, VGG-16 pool5 included (random VGG weights)."""
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    cfg, _, _ = shrink(Config.fromfile(str(path)))
    for loss in cfg.model.losses.values():
        if 'feature_net' in loss:
            loss.feature_net.weights = None  # no download; the layers are the same
    model = MODELS.build(cfg.model).train()
    size = 32  # pool5 of VGG-16 is 1x1 here
    img = torch.rand(2, 3, size, size)
    mask = torch.zeros(2, 1, size, size)
    mask[..., 4:20, 8:24] = 1
    inputs = dict(img=img, mask=mask, landmarks=torch.rand(2, 68, 2) * size)
    out, losses = model.forward_train(inputs)
    losses.update(model.discriminator_losses(out, img))
    losses.update(model.adversarial_loss(out))
    expected = {f'loss_{name}' for name in cfg.model.losses}
    expected |= {'loss_d_real', 'loss_d_fake', 'loss_adv_g'}
    if cfg.model.get('landmark_loss') is not None:
        expected.add('loss_landmark')
    assert set(losses) == expected
    assert all(torch.isfinite(v) for v in losses.values()), losses
    for name in ('perceptual', 'style'):
        net = model.losses[name].feature_net.net  # built by the forward
        assert (net.arch, net.depth) == ('vgg16', 31)  # through pool5 (index 30)
    assert losses['loss_perceptual'] > 0


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
    # chapter 4 gives no G/D update order: the code's joint order is kept
    assert cfg.model.train_cfg.update_order == 'joint'
