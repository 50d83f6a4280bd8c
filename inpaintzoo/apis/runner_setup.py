"""Config edits shared by ``tools/train.py`` and ``tools/test.py``.

The tools stay thin: they parse arguments and call these functions.
"""

import os
import os.path as osp
import shutil
import subprocess

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.runner import Runner

from inpaintzoo.apis.cfg_option_values import check_cfg_option_values
from inpaintzoo.apis.cfg_options import warn_unknown_cfg_keys
from inpaintzoo.apis.config_errors import read_config
from inpaintzoo.apis.work_dir_lock import launcher_rank
from inpaintzoo.registry import RUNNERS
from inpaintzoo.utils.errors import ConfigError


def load_config(
    config: str,
    cfg_options: dict | None = None,
    work_dir: str | None = None,
    strategy: str = 'ddp',
) -> Config:
    """Read ``config``, merge ``--strategy``, apply ``--cfg-options``, set the work dir.

    The strategy file (``fsdp``: ``configs/_base_/strategies/fsdp.py``) is merged
    before ``--cfg-options``, so options under ``strategy.`` change it rather
    than being replaced by it.

    ``--cfg-options`` keys that match nothing the runner reads get a one-line
    warning on stderr each (see :func:`warn_unknown_cfg_keys`).

    A syntax error, bases setting the same key, or an error in the config's own
    code is one :class:`ConfigError` naming the file and line
    (:func:`~inpaintzoo.apis.config_errors.read_config`).

    Work-dir priority: ``work_dir`` argument > config ``work_dir`` >
    ``work_dirs/<config stem>``. No folder is trusted for full unpickling of
    checkpoints (see ``inpaintzoo.engine.checkpoint``).
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file {config} does not exist')
    cfg = read_config(config)
    merge_strategy(cfg, strategy)
    if cfg_options:
        check_cfg_option_values(cfg, cfg_options)  # dict strings, type-less entries
        if launcher_rank() == 0:  # keys that match nothing: one warning line each
            warn_unknown_cfg_keys(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(config))[0])
    return cfg


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Set ``cfg.launcher``; on CPU-only machines start gloo ourselves.

    MMEngine's ``init_dist`` always calls ``torch.cuda.set_device`` (conventions
    §10 row 4), so without CUDA the process group is created here with the gloo
    backend and DDP gets ``device_ids=None``:

    * ``pytorch`` (torchrun): rank and world size come from ``RANK`` /
      ``WORLD_SIZE`` / ``MASTER_ADDR`` / ``MASTER_PORT`` as torchrun sets them.
    * ``slurm`` (srun): they are derived from ``SLURM_*`` first
      (:func:`slurm_env_to_torch`).
    * ``mpi``: refused on CPU with a message naming the alternatives.

    With CUDA nothing is started here; the runner calls MMEngine's ``init_dist``
    (NCCL) for every launcher.

    Raises:
        ConfigError: ``pytorch`` not started by torchrun (:func:`check_torchrun_env`),
            ``mpi`` without CUDA, or a slurm job whose environment lacks what is
            needed to find the master node.
    """
    if launcher == 'pytorch':
        check_torchrun_env()
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher == 'mpi':
        raise ConfigError(
            '--launcher mpi needs CUDA (MMEngine selects a GPU per rank); on CPU '
            'use --launcher pytorch (torchrun, tools/dist_train.sh) or --launcher '
            'slurm (srun, tools/slurm_train.sh)'
        )
    if launcher == 'slurm':
        slurm_env_to_torch()
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    if cfg.get('strategy') is None:  # Runner: DDP wrapper without device ids
        wrapper = dict(cfg.get('model_wrapper_cfg') or {})
        wrapper.setdefault('type', 'MMDistributedDataParallel')
        wrapper['device_ids'] = None
        cfg.model_wrapper_cfg = wrapper
    cfg.env_cfg = dict(cfg.get('env_cfg', {}))
    cfg.env_cfg['dist_cfg'] = dict(backend='gloo')


#: variables torchrun sets for every process, read by the ``env://`` rendezvous
TORCHRUN_VARIABLES = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')


def check_torchrun_env() -> None:
    """Raise unless this process was started by torchrun (``--launcher pytorch``).

    Raises:
        ConfigError: names the missing variables and the launch scripts.
    """
    missing = [name for name in TORCHRUN_VARIABLES if name not in os.environ]
    if missing:
        raise ConfigError(
            f'--launcher pytorch: {", ".join(missing)} not set, so this process was '
            'not started by torchrun; use tools/dist_train.sh CONFIG N (or '
            'tools/dist_test.sh CONFIG CKPT N), or torchrun --nproc_per_node N '
            'tools/train.py CONFIG --launcher pytorch; one process needs no '
            '--launcher'
        )


#: ``--strategy`` names -> files under ``configs/_base_/strategies/``
STRATEGY_FILES = {'fsdp': 'fsdp.py'}
STRATEGY_DIR = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
    'configs',
    '_base_',
    'strategies',
)


def setup_strategy(cfg: Config, strategy: str, launcher: str) -> None:
    """Apply ``--strategy`` (``ddp`` or ``fsdp``) to ``cfg``.

    ``ddp`` keeps the config (the Runner, DDP per sub-network when distributed);
    ``fsdp`` merges ``configs/_base_/strategies/fsdp.py``
    (``InpaintFlexibleRunner`` + ``InpaintFSDPStrategy`` with one FSDP unit per
    sub-network).

    Call it before :func:`setup_launcher`.

    Raises:
        ConfigError: unknown name, ``fsdp`` without a distributed launcher, or
            the strategy file is missing (package installed without configs/).
    """
    if strategy == 'ddp':
        return
    strategy_file(strategy)  # a known name and an existing file
    if launcher == 'none':
        raise ConfigError(
            f'--strategy {strategy} needs a distributed launch: use '
            'tools/dist_train.sh or tools/slurm_train.sh (or --launcher pytorch '
            'under torchrun)'
        )
    if cfg.get('strategy') is None:  # not merged by load_config yet
        merge_strategy(cfg, strategy)


def strategy_file(strategy: str) -> str:
    """The config file of a ``--strategy`` other than ``ddp``.

    Raises:
        ConfigError: unknown name, or the file is missing.
    """
    if strategy not in STRATEGY_FILES:
        raise ConfigError(
            f'unknown --strategy {strategy!r}; choose ddp or '
            + ', '.join(STRATEGY_FILES)
        )
    path = osp.join(STRATEGY_DIR, STRATEGY_FILES[strategy])
    if not osp.isfile(path):
        raise ConfigError(f'strategy config {path} not found (run from a checkout)')
    return path


def merge_strategy(cfg: Config, strategy: str) -> None:
    """Merge the strategy file of ``strategy`` into ``cfg`` (nothing for ``ddp``).

    Raises:
        ConfigError: unknown name, or the file is missing.
    """
    if strategy == 'ddp':
        return
    extra = Config.fromfile(strategy_file(strategy))
    cfg.runner_type = extra.runner_type
    cfg.strategy = extra.strategy.to_dict()
    cfg.pop('model_wrapper_cfg', None)  # the strategy wraps the model


#: variables srun sets for every task, needed to start the process group
SLURM_VARIABLES = ('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST')


def first_slurm_host(nodelist: str) -> str:
    """Host name of the first node of a slurm node list (the master node).

    ``scontrol show hostnames`` expands compressed lists (``node[01-04]``); a
    plain comma-separated list is read without it.

    Raises:
        ConfigError: the list is compressed and ``scontrol`` is not installed.
    """
    if '[' not in nodelist:
        return nodelist.split(',')[0].strip()
    if shutil.which('scontrol') is None:
        raise ConfigError(
            f'cannot expand SLURM_NODELIST={nodelist!r} without scontrol; '
            'set MASTER_ADDR to the host name of the first node'
        )
    out = subprocess.run(
        ['scontrol', 'show', 'hostnames', nodelist],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()[0]


def slurm_env_to_torch() -> None:
    """Fill torch's rendezvous variables from slurm's, as MMEngine does on GPU.

    ``RANK`` = ``SLURM_PROCID``, ``WORLD_SIZE`` = ``SLURM_NTASKS``,
    ``LOCAL_RANK`` = ``SLURM_LOCALID`` (0 if unset), ``MASTER_ADDR`` = first node
    of ``SLURM_NODELIST`` and ``MASTER_PORT`` = 29500 unless already set.

    Raises:
        ConfigError: a ``SLURM_*`` variable is missing (not started by srun).
    """
    missing = [name for name in SLURM_VARIABLES if name not in os.environ]
    if missing:
        raise ConfigError(
            f'--launcher slurm: {", ".join(missing)} not set; start the job with '
            'srun (tools/slurm_train.sh) or use --launcher pytorch with torchrun'
        )
    env = os.environ
    env['RANK'] = env['SLURM_PROCID']
    env['WORLD_SIZE'] = env['SLURM_NTASKS']
    env['LOCAL_RANK'] = env.get('SLURM_LOCALID', '0')
    env.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in env:
        env['MASTER_ADDR'] = first_slurm_host(env['SLURM_NODELIST'])


def _optim_wrapper_entries(cfg: Config) -> list:
    """The optim wrapper configs of ``cfg``: one per sub-network, or the one."""
    ow = cfg.get('optim_wrapper')
    if not isinstance(ow, dict):
        return []
    entries = [ow[k] for k in ow if isinstance(ow[k], dict) and 'optimizer' in ow[k]]
    return entries or [ow]


def check_amp_device(cfg: Config) -> None:
    """Refuse an ``AmpOptimWrapper`` in ``cfg`` where there is no CUDA device.

    MMEngine asserts this deep inside the runner; this says it in one line.
    """
    amp = [e for e in _optim_wrapper_entries(cfg) if e.get('type') == 'AmpOptimWrapper']
    if amp and not torch.cuda.is_available():
        raise ConfigError(
            "optim_wrapper type='AmpOptimWrapper' (mixed precision) needs a CUDA "
            'device, and none is available here: MMEngine refuses it on CPU; use '
            "type='OptimWrapper'"
        )


def enable_amp(cfg: Config) -> None:
    """Turn every optim wrapper of ``cfg`` into ``AmpOptimWrapper`` (GPU only)."""
    if not torch.cuda.is_available():
        raise ConfigError(
            '--amp needs a CUDA device: MMEngine refuses AmpOptimWrapper on CPU'
        )
    for entry in _optim_wrapper_entries(cfg):
        if entry.get('type', 'OptimWrapper') != 'OptimWrapper':
            raise ConfigError(
                f"--amp expects type='OptimWrapper' entries, got {entry.get('type')!r}"
            )
        entry['type'] = 'AmpOptimWrapper'
        entry['loss_scale'] = 'dynamic'


def setup_resume(cfg: Config, resume: str | None) -> None:
    """Apply ``--resume``.

    Without a value: auto-resume from the newest complete checkpoint of the work
    dir (``last_checkpoint`` first; truncated files are skipped with a warning);
    with a path: resume from that checkpoint. Either way the file is loaded with
    the safe loader; the folder it is in grants no trust.
    """
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        cfg.resume = True
        cfg.load_from = resume


def build_runner(cfg: Config) -> Runner:
    """Build the runner named by ``cfg.runner_type`` (default ``InpaintRunner``).

    ``InpaintRunner`` loads and resumes through inpaintzoo's safe checkpoint
    loaders; ``Runner.from_cfg`` would use MMEngine's stock ones.
    """
    check_amp_device(cfg)
    if cfg.get('runner_type') is None:
        cfg.runner_type = 'InpaintRunner'
    return RUNNERS.build(cfg)


def local_rank_to_env(local_rank: int | None) -> None:
    """Copy ``--local-rank`` into ``LOCAL_RANK`` for older launchers."""
    if local_rank is not None and 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(local_rank)


def shutdown_distributed() -> None:
    """Tear the process group down before the interpreter exits.

    Leaving a gloo group alive at exit lets its threads race the interpreter's
    teardown, which can abort (SIGABRT) a rank after its work is done.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
