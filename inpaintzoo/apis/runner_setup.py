"""Config edits shared by ``tools/train.py`` and ``tools/test.py``.

The tools stay thin: they parse arguments and call these functions.
"""

import os
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.runner import Runner

from inpaintzoo.apis.cfg_options import warn_unknown_cfg_keys
from inpaintzoo.apis.work_dir_lock import launcher_rank
from inpaintzoo.registry import RUNNERS
from inpaintzoo.utils.errors import ConfigError


def load_config(
    config: str, cfg_options: dict | None = None, work_dir: str | None = None
) -> Config:
    """Read ``config``, apply ``--cfg-options`` and pick the work dir.

    ``--cfg-options`` keys that match nothing the runner reads get a one-line
    warning on stderr each (see :func:`warn_unknown_cfg_keys`).

    Work-dir priority: ``work_dir`` argument > config ``work_dir`` >
    ``work_dirs/<config stem>``. No folder is trusted for full unpickling of
    checkpoints (see ``inpaintzoo.engine.checkpoint``).
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file {config} does not exist')
    cfg = Config.fromfile(config)
    if cfg_options:
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
    §10 row 4), so for ``--launcher pytorch`` without CUDA the process group is
    created here with the gloo backend and DDP gets ``device_ids=None``.
    """
    cfg.launcher = launcher
    if launcher == 'none':
        return
    if launcher == 'pytorch' and not torch.cuda.is_available():
        if not dist.is_initialized():
            dist.init_process_group(backend='gloo')
        wrapper = dict(cfg.get('model_wrapper_cfg') or {})
        wrapper.setdefault('type', 'MMDistributedDataParallel')
        wrapper['device_ids'] = None
        cfg.model_wrapper_cfg = wrapper
        cfg.env_cfg = dict(cfg.get('env_cfg', {}))
        cfg.env_cfg['dist_cfg'] = dict(backend='gloo')


def enable_amp(cfg: Config) -> None:
    """Turn every optim wrapper of ``cfg`` into ``AmpOptimWrapper`` (GPU only)."""
    if not torch.cuda.is_available():
        raise ConfigError(
            '--amp needs a CUDA device: MMEngine refuses AmpOptimWrapper on CPU'
        )
    ow = cfg.optim_wrapper
    entries = [ow[k] for k in ow if isinstance(ow[k], dict) and 'optimizer' in ow[k]]
    for entry in entries or [ow]:
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
