"""Distributed training on CPU (gloo): 2 processes x batch B == 1 process x 2B.

The GAN inpaintor (joint G/D update, per-network DDP wrapper) is trained for two
iterations on a data set with fixed masks, once in one process with batch 4 and
once in two processes with batch 2 each, started by ``tools/dist_train.sh``
(torchrun, ``--launcher pytorch``) and by ``tools/slurm_train.sh`` (a stand-in
``srun`` that starts the tasks locally, ``--launcher slurm``). The sampler
interleaves one index stream over the ranks, so the two ranks' batches together
are the single process's batch; gradients averaged over ranks then equal the
gradient of the mean loss over the whole batch, and the generator must end with
the same weights.
"""

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from inpaintzoo.apis.runner_setup import (
    first_slurm_host,
    setup_launcher,
    setup_strategy,
    slurm_env_to_torch,
)
from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.utils.errors import ConfigError
from tests.test_engine.dist_fixtures import as_tensors
from tests.tiny_config import REPO, run_script
from tests.tiny_modules import tiny_model_cfg

DEMO = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'
#: a slurm stand-in: runs ``--ntasks`` copies of the command on this machine with
#: the variables srun sets, and fails if one of them fails
FAKE_SRUN = r"""#!/usr/bin/env bash
ntasks=1
while [ "$#" -gt 0 ]; do
    case "$1" in
        --ntasks=*) ntasks=${1#--ntasks=} ;;
        *python*) break ;;
    esac
    echo "$1" >> "$SRUN_LOG"
    shift
done
pids=()
for ((i = 0; i < ntasks; i++)); do
    SLURM_PROCID=$i SLURM_LOCALID=$i SLURM_NTASKS=$ntasks \
        SLURM_NODELIST=localhost "$@" &
    pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
exit $rc
"""


@pytest.fixture(scope='module')
def data_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('demo_data')
    prepare_demo_data(root, size=64)
    return root


def write_config(
    path: Path, data_root: Path, batch_size: int, init: Path | None = None
) -> Path:
    """Tiny GAN inpaintor trained 2 iterations on the 8 test crops and their
    fixed masks (no random masks: every rank sees the same samples), starting
    from the weights in ``init`` (the Runner and the FlexibleRunner draw the
    initial weights at different points of the seeded random stream)."""
    cfg = Config.fromfile(str(REPO / DEMO))
    cfg.load_from = None if init is None else str(init)
    cfg.custom_imports = dict(
        imports=['tests.tiny_modules', 'tests.test_engine.dist_fixtures'],
        allow_failed_imports=False,
    )
    model = tiny_model_cfg('joint')
    model['data_preprocessor'] = cfg.model.data_preprocessor
    cfg.model = model
    for name in ('val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = str(data_root)
    train = cfg.test_dataloader.copy()
    train.batch_size = batch_size
    train.sampler = dict(type='InfiniteSampler', shuffle=True, seed=0)
    train.dataset.data_root = str(data_root)
    train.dataset.test_mode = False
    cfg.train_dataloader = train
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 10_000
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    cfg.custom_hooks = [dict(type='RecordLossesHook')]
    cfg.randomness = dict(seed=0)
    cfg.dump(str(path))
    return path


def read_ranks(work_dir: Path, world_size: int) -> tuple[list[dict], dict]:
    """Losses averaged over ranks per iteration, and rank 0's generator."""
    ranks = [
        json.loads((work_dir / f'losses_rank{r}.json').read_text())
        for r in range(world_size)
    ]
    gens = [as_tensors(r['generator']) for r in ranks]
    for other in gens[1:]:  # DDP keeps the replicas equal
        for name, value in other.items():
            torch.testing.assert_close(value, gens[0][name], rtol=0, atol=0)
    losses = [
        {
            k: sum(r['losses'][i][k] for r in ranks) / world_size
            for k in ranks[0]['losses'][i]
        }
        for i in range(len(ranks[0]['losses']))
    ]
    return losses, gens[0]


@pytest.fixture(scope='module')
def init_weights(data_root, tmp_path_factory) -> Path:
    """Initial weights of the tiny GAN inpaintor (seed 0), shared by all runs."""
    from mmengine.registry import init_default_scope

    from inpaintzoo.registry import MODELS

    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg('joint'))
    path = tmp_path_factory.mktemp('init') / 'init.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


@pytest.fixture(scope='module')
def single_process(
    data_root, init_weights, tmp_path_factory
) -> tuple[list[dict], dict, dict]:
    tmp = tmp_path_factory.mktemp('single')
    config = write_config(tmp / 'tiny_b4.py', data_root, 4, init_weights)
    result = run_script(
        [
            sys.executable,
            str(REPO / 'tools/train.py'),
            str(config),
            '--work-dir',
            str(tmp / 'work'),
        ],
        tmp,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ckpt = torch.load(tmp / 'work' / 'iter_2.pth', weights_only=False)
    return (*read_ranks(tmp / 'work', 1), ckpt)


#: what a rank prints when torch's gloo threads race the interpreter's exit after
#: the training is done (a rare abort in torch's teardown, not in the training)
TEARDOWN_ABORT = 'terminate called without an active exception'


def launch(launcher: str, strategy: str, config: Path, tmp: Path, port: int):
    """Train ``config`` in 2 processes through the launcher's shell script.

    A run that fails only by the teardown abort (:data:`TEARDOWN_ABORT`) is run
    once more from scratch; any other failure is returned as it is.
    """
    result = _launch_once(launcher, strategy, config, tmp, port)
    if result.returncode != 0 and TEARDOWN_ABORT in result.stderr:
        shutil.rmtree(tmp / 'work', ignore_errors=True)
        (tmp / 'srun_args.txt').unlink(missing_ok=True)
        result = _launch_once(launcher, strategy, config, tmp, port)
    return result


def _launch_once(launcher: str, strategy: str, config: Path, tmp: Path, port: int):
    """One 2-process training run of ``config`` (see :func:`launch`)."""
    work = tmp / 'work'
    if launcher == 'pytorch':
        args = ['bash', str(REPO / 'tools/dist_train.sh'), str(config), '2']
        env = {'PORT': str(port), 'PYTHON': sys.executable}
    else:
        bin_dir = tmp / 'bin'
        bin_dir.mkdir(exist_ok=True)
        srun = bin_dir / 'srun'
        srun.write_text(FAKE_SRUN)
        srun.chmod(srun.stat().st_mode | stat.S_IEXEC)
        args = ['bash', str(REPO / 'tools/slurm_train.sh'), 'cpu', 'tiny', str(config)]
        env = {
            'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
            'GPUS': '2',
            'GRES': '',
            'PYTHON': sys.executable,
            'MASTER_ADDR': '127.0.0.1',
            'MASTER_PORT': str(port),
            'SRUN_LOG': str(tmp / 'srun_args.txt'),
        }
    args += ['--work-dir', str(work), '--strategy', strategy]
    return run_script(args, tmp, extra_env=env, timeout=300)


def optimizer_states(ckpt: dict) -> dict[str, dict[str, dict[str, torch.Tensor]]]:
    """``{optimizer: {param name: state}}``; FSDP keys the states by name, a
    plain optimizer by position in its param group."""
    out = {}
    for name, opt in ckpt['optimizer'].items():
        params = opt['param_groups'][0]['params']
        names = params if isinstance(params[0], str) else [str(i) for i in params]
        keys = [k if isinstance(k, str) else str(k) for k in opt['state']]
        by_key = dict(zip(keys, opt['state'].values(), strict=True))
        out[name] = {str(i): by_key[k] for i, k in enumerate(names)}
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ('launcher', 'strategy', 'port'),
    [('pytorch', 'ddp', 29631), ('slurm', 'fsdp', 29641)],
    ids=['torchrun-ddp', 'srun-fsdp'],
)
def test_two_processes_match_one_with_double_batch(
    launcher, strategy, port, data_root, init_weights, single_process, tmp_path
):
    config = write_config(tmp_path / 'tiny_b2.py', data_root, 2, init_weights)
    result = launch(launcher, strategy, config, tmp_path, port)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    losses, gen = read_ranks(tmp_path / 'work', 2)
    ref_losses, ref_gen, ref_ckpt = single_process
    assert len(losses) == len(ref_losses) == 2
    for got, want in zip(losses, ref_losses, strict=True):
        assert got.keys() == want.keys()
        for key in want:
            assert got[key] == pytest.approx(want[key], rel=1e-5, abs=1e-7), key
    assert gen.keys() == ref_gen.keys()
    for name, value in ref_gen.items():
        torch.testing.assert_close(gen[name], value, rtol=1e-5, atol=1e-6)
    # the checkpoint (FSDP: gathered on rank 0) has the single-device keys and
    # values, and the optimizer moments of both networks
    ckpt = torch.load(tmp_path / 'work' / 'iter_2.pth', weights_only=False)
    assert ckpt['meta']['iter'] == 2
    assert ckpt['state_dict'].keys() == ref_ckpt['state_dict'].keys()
    for key, value in ref_ckpt['state_dict'].items():
        torch.testing.assert_close(ckpt['state_dict'][key], value, rtol=1e-5, atol=1e-6)
    got_opt, want_opt = optimizer_states(ckpt), optimizer_states(ref_ckpt)
    assert got_opt.keys() == want_opt.keys() == {'generator', 'discriminator'}
    for net, states in want_opt.items():
        for index, state in states.items():
            for key in ('exp_avg', 'exp_avg_sq'):
                torch.testing.assert_close(
                    got_opt[net][index][key], state[key], rtol=1e-4, atol=1e-9
                )
    if launcher == 'slurm':
        srun_args = (tmp_path / 'srun_args.txt').read_text().split()
        assert '--ntasks=2' in srun_args
        assert '--job-name=tiny' in srun_args
        assert not any(a.startswith('--gres') for a in srun_args)


def test_slurm_env_to_torch_fills_rendezvous_variables(monkeypatch):
    for name in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'):
        # set first, so that teardown removes what slurm_env_to_torch writes (a
        # RANK left behind made later runners and work-dir locks distributed)
        monkeypatch.setenv(name, '')
        monkeypatch.delenv(name)
    monkeypatch.setenv('SLURM_PROCID', '5')
    monkeypatch.setenv('SLURM_NTASKS', '8')
    monkeypatch.setenv('SLURM_LOCALID', '1')
    monkeypatch.setenv('SLURM_NODELIST', 'gpu07,gpu08')
    slurm_env_to_torch()
    assert [os.environ[k] for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK')] == [
        '5',
        '8',
        '1',
    ]
    assert os.environ['MASTER_ADDR'] == 'gpu07'
    assert os.environ['MASTER_PORT'] == '29500'


def test_slurm_launcher_errors_name_the_problem(monkeypatch):
    monkeypatch.delenv('SLURM_PROCID', raising=False)
    monkeypatch.setenv('SLURM_NTASKS', '2')
    monkeypatch.setenv('SLURM_NODELIST', 'node01')
    with pytest.raises(
        ConfigError, match='SLURM_PROCID not set; start the job with srun'
    ):
        slurm_env_to_torch()
    monkeypatch.setenv('PATH', '/nonexistent')  # no scontrol
    with pytest.raises(ConfigError, match='set MASTER_ADDR'):
        first_slurm_host('node[01-04]')
    assert first_slurm_host('node01') == 'node01'


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_mpi_launcher_refused_on_cpu():
    with pytest.raises(ConfigError, match='--launcher mpi needs CUDA'):
        setup_launcher(Config(dict(model=dict())), 'mpi')


def test_fsdp_strategy_config():
    cfg = Config(dict(model_wrapper_cfg=dict(type='inpaintzoo.SeparateDDP')))
    setup_strategy(cfg, 'ddp', 'pytorch')
    assert 'strategy' not in cfg
    setup_strategy(cfg, 'fsdp', 'pytorch')
    assert cfg.runner_type == 'InpaintFlexibleRunner'
    assert cfg.strategy['type'] == 'inpaintzoo.InpaintFSDPStrategy'
    assert cfg.strategy['model_wrapper']['type'] == 'SeparateFSDP'
    assert 'model_wrapper_cfg' not in cfg
    with pytest.raises(ConfigError, match='needs a distributed launch'):
        setup_strategy(Config(), 'fsdp', 'none')


def test_cfg_options_change_the_fsdp_strategy_instead_of_being_replaced(capsys):
    """``--strategy fsdp --cfg-options strategy.model_wrapper.X=...`` keeps X."""
    from inpaintzoo.apis.runner_setup import load_config

    config = str(REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py')
    options = {
        'strategy.model_wrapper.sharding_strategy': 'SHARD_GRAD_OP',
        'strategy.model_wrapper.cpu_offload': True,
    }
    cfg = load_config(config, options, strategy='fsdp')
    setup_strategy(cfg, 'fsdp', 'pytorch')
    wrapper = cfg.strategy['model_wrapper']
    assert wrapper['sharding_strategy'] == 'SHARD_GRAD_OP'
    assert wrapper['cpu_offload'] is True
    assert wrapper['type'] == 'SeparateFSDP'
    assert cfg.runner_type == 'InpaintFlexibleRunner'
    assert 'matches nothing' not in capsys.readouterr().err
