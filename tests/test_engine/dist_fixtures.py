"""Helpers of ``test_distributed_training.py`` imported by the training processes.

``RecordLossesHook`` writes what each rank saw, since MMEngine logs rank 0 only.
"""

import json
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

from inpaintzoo.registry import HOOKS


@HOOKS.register_module(force=True)
class RecordLossesHook(Hook):
    """Dump ``work_dir/losses_rank{R}.json``: the log dict of every iteration and
    the generator's parameters after training, as seen by rank ``R``."""

    priority = 'LOWEST'

    def __init__(self) -> None:
        self.losses: list[dict[str, float]] = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.losses.append({k: float(v) for k, v in (outputs or {}).items()})

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        gen = model.generator
        if isinstance(gen, FSDP):  # gather the shards (every rank takes part)
            with FSDP.summon_full_params(gen):
                params = flat_params(gen)
        else:
            params = flat_params(getattr(gen, 'module', gen))  # per-network DDP
        out = dict(losses=self.losses, generator=params)
        path = osp.join(runner.work_dir, f'losses_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(out, f)


def flat_params(net: torch.nn.Module) -> dict[str, list[float]]:
    """``{name: flat list}`` of ``net``'s parameters, FSDP prefixes removed."""
    prefix = '_fsdp_wrapped_module.'
    return {
        name.replace(prefix, ''): p.detach().double().flatten().tolist()
        for name, p in net.named_parameters()
    }


def as_tensors(params: dict[str, list[float]]) -> dict[str, torch.Tensor]:
    """``{name: flat float64 tensor}`` of a ``generator`` entry written above."""
    return {k: torch.tensor(v, dtype=torch.float64) for k, v in params.items()}
