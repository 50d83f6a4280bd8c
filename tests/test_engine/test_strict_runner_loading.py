"""``resume`` and ``load_from`` are strict: a checkpoint that does not fit is refused.

Before, the runner loaded the matching keys with a warning and then crashed in
the optimiser (another model, another width) or trained on from random weights
(renamed keys, ``load_from`` of another model), exit 0.
"""

import uuid
from pathlib import Path

import pytest
import torch
from mmengine.model import BaseModel
from torch import Tensor, nn

from inpaintzoo.engine.checkpoint import load_local_checkpoint
from inpaintzoo.engine.flexible_runner import InpaintFlexibleRunner
from inpaintzoo.engine.runner import InpaintRunner
from inpaintzoo.utils.errors import CheckpointMismatchError, CorruptCheckpointError
from tests.test_engine.toy_runner import toy_runner


@pytest.fixture(scope='module')
def runner_ckpt(tmp_path_factory) -> Path:
    """A runner checkpoint (weights, optimizer, meta, message hub) of the toy."""
    work_dir = tmp_path_factory.mktemp('toy')
    toy_runner(work_dir, max_iters=1).train()
    return work_dir / 'iter_1.pth'


def _variant(src: Path, dst: Path, change) -> Path:
    """``src`` with its state dict replaced by ``change(state_dict)``."""
    ckpt = torch.load(src, weights_only=False)
    ckpt['state_dict'] = change(dict(ckpt['state_dict']))
    torch.save(ckpt, dst)
    return dst


def _wider(state: dict) -> dict:
    return {'lin.weight': torch.zeros(1, 3), 'lin.bias': state['lin.bias']}


def _renamed(state: dict) -> dict:
    return {f'net.{k}': v for k, v in state.items()}


def _other_model(state: dict) -> dict:
    return {'conv.weight': torch.zeros(4, 3, 3, 3), 'conv.bias': torch.zeros(4)}


def _nan(state: dict) -> dict:
    return {k: torch.full_like(v, float('nan')) for k, v in state.items()}


CASES = {
    'wider': (_wider, r'shape mismatches 1 \(lin\.weight: checkpoint \(1, 3\)'),
    'renamed': (_renamed, r'missing keys 2 .*unexpected keys 2 \(net\.lin\.bias'),
    'other model': (_other_model, 'most keys differ'),
}


def _weights(runner) -> dict[str, Tensor]:
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


@pytest.mark.parametrize('case', CASES)
def test_resume_from_a_checkpoint_that_does_not_fit(tmp_path, runner_ckpt, case):
    change, match = CASES[case]
    path = _variant(runner_ckpt, tmp_path / 'other.pth', change)
    runner = toy_runner(tmp_path / 'run', max_iters=3, resume=str(path))
    before = _weights(runner)
    with pytest.raises(CheckpointMismatchError, match=match) as err:
        runner.train()
    assert f'checkpoint {path} does not fit ToyModel: ' in str(err.value)
    assert runner.iter == 0  # not a single step trained
    after = runner.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not list((tmp_path / 'run').glob('iter_*.pth'))


@pytest.mark.parametrize('case', CASES)
def test_load_from_a_checkpoint_that_does_not_fit(tmp_path, runner_ckpt, case):
    change, match = CASES[case]
    path = _variant(runner_ckpt, tmp_path / 'other.pth', change)
    runner = toy_runner(tmp_path / 'run', max_iters=3)
    runner._load_from = str(path)
    with pytest.raises(CheckpointMismatchError, match=match):
        runner.train()
    assert runner.iter == 0


def test_resume_from_nan_weights_is_refused(tmp_path, runner_ckpt):
    path = _variant(runner_ckpt, tmp_path / 'diverged.pth', _nan)
    runner = toy_runner(tmp_path / 'run', max_iters=3, resume=str(path))
    with pytest.raises(CorruptCheckpointError, match='NaN or Inf values in 2 tensors'):
        runner.train()


def test_resume_with_a_meta_that_is_no_dict_is_refused(tmp_path, runner_ckpt):
    ckpt = torch.load(runner_ckpt, weights_only=False)
    ckpt['meta'] = 5
    path = tmp_path / 'meta5.pth'
    torch.save(ckpt, path)
    runner = toy_runner(tmp_path / 'run', max_iters=3, resume=str(path))
    with pytest.raises(CheckpointMismatchError, match=r'its meta .* is not a dict'):
        runner.train()


def test_fitting_resume_and_load_from_still_work(tmp_path, runner_ckpt):
    saved = load_local_checkpoint(runner_ckpt)['state_dict']
    runner = toy_runner(tmp_path / 'resumed', max_iters=1, resume=str(runner_ckpt))
    runner.train()  # resumed at iter 1 of 1: nothing left to train
    assert runner.iter == 1
    assert all(torch.equal(runner.model.state_dict()[k], saved[k]) for k in saved)
    # a DDP-style 'module.' prefix is removed as MMEngine does
    prefixed = _variant(
        runner_ckpt,
        tmp_path / 'prefixed.pth',
        lambda state: {f'module.{k}': v for k, v in state.items()},
    )
    runner = toy_runner(tmp_path / 'loaded', max_iters=1)
    runner.load_checkpoint(str(prefixed))
    assert all(torch.equal(runner.model.state_dict()[k], saved[k]) for k in saved)


class ToyGAN(BaseModel):
    """A model with a generator and a discriminator (keys as an inpaintor's)."""

    def __init__(self) -> None:
        super().__init__()
        self.generator = nn.Linear(2, 2)
        self.discriminator = nn.Linear(2, 1)

    def forward(self, inputs: Tensor, data_samples=None, mode: str = 'tensor'):
        return self.discriminator(self.generator(inputs))


def _gan_runner(work_dir: Path) -> InpaintRunner:
    return InpaintRunner(
        model=ToyGAN(),
        work_dir=str(work_dir),
        experiment_name=f'toy_gan_{uuid.uuid4().hex}',
        default_scope='inpaintzoo',
    )


@pytest.mark.parametrize('prefixed', [True, False])
def test_load_from_a_generator_only_file_loads_the_generator(tmp_path, prefixed):
    generator = nn.Linear(2, 2).state_dict()
    prefix = 'generator.' if prefixed else ''
    path = tmp_path / 'gen.pth'
    torch.save({'state_dict': {prefix + k: v for k, v in generator.items()}}, path)
    runner = _gan_runner(tmp_path / 'run')
    d_before = {
        k: v.clone() for k, v in runner.model.discriminator.state_dict().items()
    }
    runner.load_checkpoint(str(path))
    own = runner.model.generator.state_dict()
    assert all(torch.equal(own[k], generator[k]) for k in generator)
    d_after = runner.model.discriminator.state_dict()
    assert all(torch.equal(d_before[k], d_after[k]) for k in d_before)


def test_resume_from_a_generator_only_runner_file_is_refused(tmp_path):
    generator = nn.Linear(2, 2).state_dict()
    path = tmp_path / 'gen.pth'
    torch.save(
        {
            'state_dict': {f'generator.{k}': v for k, v in generator.items()},
            'meta': {'epoch': 0, 'iter': 1},
            'optimizer': {},
            'message_hub': {},
        },
        path,
    )
    runner = _gan_runner(tmp_path / 'run')
    runner._resuming = True
    with pytest.raises(CheckpointMismatchError, match='holds only the generator'):
        runner.load_checkpoint(str(path))


def test_generator_only_file_with_other_shapes_is_refused(tmp_path):
    path = tmp_path / 'gen.pth'
    wide = nn.Linear(3, 2).state_dict()
    torch.save({'state_dict': {f'generator.{k}': v for k, v in wide.items()}}, path)
    runner = _gan_runner(tmp_path / 'run')
    with pytest.raises(CheckpointMismatchError, match=r'\(generator only\) does not'):
        runner.load_checkpoint(str(path))


def _flexible_runner(
    work_dir: Path, max_iters: int, load_from: str | None = None, resume: bool = False
) -> InpaintFlexibleRunner:
    """The toy of ``toy_runner`` on the FlexibleRunner (single-device strategy)."""
    from tests.test_engine.toy_runner import toy_training

    return InpaintFlexibleRunner(
        **toy_training(work_dir, max_iters, 'toy_flex'),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False)
        ),
        log_processor=dict(by_epoch=False),
        load_from=load_from,
        resume=resume,
        default_scope='inpaintzoo',
        launcher='none',  # whatever RANK/WORLD_SIZE other tests left behind
    )


@pytest.mark.parametrize('resume', [True, False], ids=['resume', 'load_from'])
@pytest.mark.parametrize('case', ['wider', 'renamed'])
def test_flexible_runner_refuses_a_checkpoint_that_does_not_fit(
    tmp_path, runner_ckpt, case, resume
):
    change, match = CASES[case]
    path = _variant(runner_ckpt, tmp_path / 'other.pth', change)
    runner = _flexible_runner(tmp_path / 'run', 3, load_from=str(path), resume=resume)
    with pytest.raises(CheckpointMismatchError, match=match):
        runner.train()
    assert runner._model_spec is not None  # recorded when the strategy built it
    assert runner.iter == 0


def test_flexible_runner_still_resumes_a_fitting_checkpoint(tmp_path, runner_ckpt):
    saved = load_local_checkpoint(runner_ckpt)['state_dict']
    runner = _flexible_runner(tmp_path / 'run', 1, str(runner_ckpt), resume=True)
    runner.train()
    assert runner.iter == 1
    assert all(torch.equal(runner.model.state_dict()[k], saved[k]) for k in saved)
