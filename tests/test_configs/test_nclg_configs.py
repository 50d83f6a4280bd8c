"""NCLG-MT configs: official recipe, Table 3.4 rows, demo; tiny training runs.

What each row changes relative to the paper config is checked for all models in
``tests/test_configs/test_ablation_configs.py``; here the built models and the
recipe values, one tiny iteration of each config (slow) and a tiny NCLG-MT
trained by ``tools/train.py`` and scored by ``tools/test.py`` (NME and PSNR).
"""

import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.datasets.demo_face import prepare_face_demo_data
from inpaintzoo.models.layers import NCLGGatedConv
from inpaintzoo.registry import MODELS
from tests.test_configs.config_diff import changed_keys
from tests.tiny_config import (
    REPO,
    train_and_diff,
    train_then_test,
    use_demo_loaders,
)

PAPER = REPO / 'configs/nclg/nclg_1xb1-130k_celeba-256x256.py'
BASELINE = REPO / 'configs/nclg/nclg-baseline_1xb1-130k_celeba-256x256.py'
LMK = REPO / 'configs/nclg/nclg-lmk_1xb1-130k_celeba-256x256.py'
DEMO = REPO / 'configs/nclg/nclg-tiny_1xb4-300_demo-face-64x64.py'
THESIS = REPO / 'configs/nclg/nclg-thesis_1xb4-130k_celeba-256x256.py'
SIZE = 32


@pytest.fixture(scope='module')
def face_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('face_demo_data')
    prepare_face_demo_data(root, size=SIZE)
    return root


def test_paper_recipe_is_the_released_config() -> None:
    cfg = Config.fromfile(str(PAPER))
    model = cfg.model
    assert model.type == 'NCLGInpaintor'
    losses = model.losses
    assert losses.l1.divide_by_hole_ratio is True
    weights = {name: loss.loss_weight for name, loss in losses.items()}
    assert weights == dict(l1=1.0, perceptual=0.1, style=250.0, tv=0.1)
    assert (model.gan_loss.gan_type, model.gan_loss.loss_weight) == ('lsgan', 0.01)
    assert (model.landmark_loss.loss_weight, model.landmark_loss.mode) == (
        0.00046,
        'norm',
    )
    assert model.train_cfg.update_order == 'joint'
    assert model.train_cfg.round_landmarks is model.train_cfg.clamp_landmarks is True
    for name, lr in (('generator', 2.92e-4), ('discriminator', 2.92e-5)):
        opt = cfg.optim_wrapper[name].optimizer
        assert (opt.type, opt.lr, tuple(opt.betas)) == ('Adam', lr, (0.0, 0.9))
    (sched,) = cfg.param_scheduler
    assert sched.type == 'MultiStepLR'
    assert sched.by_epoch is False
    assert sched.gamma == 0.78
    assert sched.milestones == [20_000 * k for k in range(1, 7)]
    assert cfg.train_cfg.max_iters == 130_000
    assert cfg.train_dataloader.batch_size == 1
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        assert [e.type for e in evaluator] == ['InpaintingMetric', 'LandmarkNME']
    assert cfg.train_dataloader.dataset.landmark_source == 'landmarks'


def test_lr_schedule_steps_g_and_d_per_iteration() -> None:
    from mmengine.optim.scheduler import MultiStepLR

    cfg = Config.fromfile(str(PAPER))
    (sched,) = cfg.param_scheduler
    opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=2.92e-4)
    s = MultiStepLR(opt, milestones=sched.milestones, gamma=sched.gamma)
    lrs = {}
    for it in range(1, 130_001):
        s.step()
        if it in (19_999, 20_000, 120_000):
            lrs[it] = opt.param_groups[0]['lr']
    assert lrs[19_999] == pytest.approx(2.92e-4)
    assert lrs[20_000] == pytest.approx(2.92e-4 * 0.78)
    assert lrs[120_000] == pytest.approx(2.92e-4 * 0.78**6)


@pytest.mark.parametrize(
    ('config', 'landmarks', 'gated', 'params'),
    [
        (PAPER, True, True, 13_894_479),
        (LMK, True, False, 12_442_639),
        (BASELINE, False, False, 11_731_845),
    ],
    ids=['ours', 'base+lmk', 'baseline'],
)
def test_table_3_4_rows_build_what_they_say(config, landmarks, gated, params) -> None:
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(str(config))
    gen = MODELS.build(cfg.model.generator)
    assert sum(p.numel() for p in gen.parameters()) == params
    assert (gen.landmark is not None) is landmarks
    assert (gen.fuse_map is not None) is landmarks
    convs = [m for m in gen.modules() if isinstance(m, NCLGGatedConv)]
    assert len(convs) == 5
    assert {c.gated for c in convs} == {gated}
    assert (cfg.model.landmark_loss is not None) is landmarks
    with torch.no_grad():
        out = gen(torch.rand(1, 3, 256, 256), torch.zeros(1, 1, 256, 256))
    assert out.image.shape == (1, 3, 256, 256)
    assert (out.landmarks is not None) is landmarks


def test_rows_change_only_the_generator_options_and_landmark_loss() -> None:
    gen = 'model.generator.'
    assert changed_keys(PAPER, LMK) == {gen + 'gated'}
    changed = changed_keys(PAPER, BASELINE)
    assert {gen + 'gated', gen + 'landmark', 'model.landmark_loss'} <= changed
    assert {k for k in changed if not k.startswith(gen)} == {
        'model.landmark_loss',
        'model.landmark_loss.type',
        'model.landmark_loss.loss_weight',
        'model.landmark_loss.mode',
        'val_evaluator',
        'test_evaluator',
    }
    cfg = Config.fromfile(str(BASELINE))
    assert [e.type for e in cfg.test_evaluator] == ['InpaintingMetric']


def shrink_nclg(
    config: Path, work_dir: Path, data_root: Path, max_iters: int = 1
) -> Config:
    """``config`` at 32x32 (widths 8/16/32, one block), L1 + TV losses, face demo."""
    cfg = Config.fromfile(str(config))
    gen = cfg.model.generator
    gen.update(residual_blocks=1, input_size=SIZE, base_channels=8)
    if gen.get('landmark', 'official') is not None:
        gen.landmark = dict(
            type='LandmarkPredictor', expand_channels=32, node_channels=(8, 8, 16)
        )
    cfg.model.discriminator.base_channels = 8
    cfg.model.losses = dict(
        l1=dict(type='L1Loss', loss_weight=1.0), tv=dict(type='TVLoss', loss_weight=0.1)
    )
    use_demo_loaders(
        cfg, data_root, SIZE, dataset='configs/_base_/datasets/demo_face.py'
    )
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = 10_000
    cfg.default_hooks.checkpoint.interval = max_iters
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0, deterministic=False)
    return cfg


@pytest.mark.slow
@pytest.mark.parametrize(
    'config', [PAPER, LMK, BASELINE, DEMO, THESIS], ids=lambda p: p.stem
)
def test_config_trains_one_tiny_iteration(config, tmp_path, face_root) -> None:
    init_default_scope('inpaintzoo')
    cfg = shrink_nclg(config, tmp_path / 'work', face_root)
    runner, changed = train_and_diff(cfg, tmp_path / 'work')
    assert runner.iter == 1
    assert any(k.startswith('enc1.') for k in changed), changed[:5]
    has_landmarks = runner.model.generator.landmark is not None
    assert any(k.startswith('landmark.fc.') for k in changed) is has_landmarks


@pytest.mark.slow
def test_tiny_nclg_trains_with_train_py_and_test_py_reports_nme_and_psnr(
    tmp_path, face_root
) -> None:
    cfg = shrink_nclg(DEMO, tmp_path / 'work', face_root, max_iters=4)
    config = tmp_path / 'tiny_nclg.py'
    cfg.dump(str(config))
    ckpt = tmp_path / 'work' / 'iter_4.pth'
    out = tmp_path / 'metrics.json'
    train, _ = train_then_test(config, tmp_path, ckpt, ['--out', str(out)], timeout=600)
    assert 'loss_landmark' in train.stdout + train.stderr
    overall = json.loads(out.read_text())['overall']
    nme = [v for k, v in overall.items() if k.endswith('NME')]
    psnr = [v for k, v in overall.items() if k.endswith('PSNR')]
    assert nme, overall
    assert psnr, overall
    assert nme[0] > 0
    assert psnr[0] > 5


def test_thesis_config_sets_the_thesis_values() -> None:
    cfg = Config.fromfile(str(THESIS))
    model = cfg.model
    assert model.losses.style.loss_weight == 0.1
    assert model.losses.perceptual.loss_weight == 0.1
    assert model.losses.tv.loss_weight == 0.1
    assert model.landmark_loss.mode == 'squared'
    assert model.landmark_loss.loss_weight == 0.00046
    assert model.gan_loss.gan_type == 'nsgan'
    assert model.gan_loss.loss_weight == 0.01
    assert model.losses.style.feature_net.arch == 'vgg16'
    assert cfg.train_dataloader.batch_size == 4
    # Eq. 3.8: plain mean L1; Algorithm 1 lines 9-10: D step, then G step
    assert model.losses.l1.divide_by_hole_ratio is False
    assert model.train_cfg.update_order == 'sequential'
    assert model.train_cfg.round_landmarks is model.train_cfg.clamp_landmarks is True
    assert changed_keys(PAPER, THESIS) >= {
        'model.losses.style.loss_weight',
        'model.landmark_loss.mode',
        'model.losses.l1.divide_by_hole_ratio',
        'model.train_cfg.update_order',
    }


def test_tiny_config_optimiser_is_what_its_comment_says() -> None:
    """The demo schedule's Adam (lr 1e-3 / 1e-4, betas (0.9, 0.999), no decay)."""
    cfg = Config.fromfile(str(DEMO))
    opts = {n: cfg.optim_wrapper[n].optimizer for n in ('generator', 'discriminator')}
    assert {k: (v.lr, tuple(v.betas)) for k, v in opts.items()} == {
        'generator': (1e-3, (0.9, 0.999)),
        'discriminator': (1e-4, (0.9, 0.999)),
    }
    assert not cfg.param_scheduler
    text = DEMO.read_text()
    assert 'lr 1e-3 (3.4x' in text
    assert 'betas (0.9, 0.999)' in text
