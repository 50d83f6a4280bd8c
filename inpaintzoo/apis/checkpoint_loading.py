"""Strict, well-explained loading of inpaintzoo checkpoints into a model."""

from collections.abc import Mapping

import torch
from mmengine.model import is_model_wrapper
from torch import nn

from inpaintzoo.engine.checkpoint import load_checkpoint_file
from inpaintzoo.utils.errors import CheckpointMismatchError

_OFFICIAL_HINT = (
    'it looks like an official {kind} checkpoint; convert it first with '
    'tools/model_converters/official_to_inpaintzoo.py (or the converter of its model)'
)


def extract_state_dict(checkpoint: Mapping, filename: str) -> dict:
    """The model state dict of a runner or published checkpoint, ``module.`` removed."""
    if not isinstance(checkpoint, Mapping):
        raise CheckpointMismatchError(
            f'{filename} does not hold a dict but a {type(checkpoint).__name__}'
        )
    if 'state_dict' in checkpoint:
        state = checkpoint['state_dict']
    elif 'generator' in checkpoint and isinstance(checkpoint['generator'], Mapping):
        raise CheckpointMismatchError(
            f'{filename}: ' + _OFFICIAL_HINT.format(kind='generator')
        )
    elif 'discriminator' in checkpoint and isinstance(
        checkpoint['discriminator'], Mapping
    ):
        raise CheckpointMismatchError(
            f'{filename}: ' + _OFFICIAL_HINT.format(kind='discriminator')
        )
    else:
        state = checkpoint
    if not all(torch.is_tensor(v) for v in state.values()):
        raise CheckpointMismatchError(
            f'{filename} is not a model checkpoint: its entries are not all tensors'
        )
    return {k.removeprefix('module.'): v for k, v in state.items()}


def _summarise(keys: list[str], limit: int = 5) -> str:
    shown = ', '.join(keys[:limit])
    return f'{len(keys)} ({shown}{", ..." if len(keys) > limit else ""})'


def check_state_dict(model: nn.Module, state: dict, filename: str) -> None:
    """Raise :class:`CheckpointMismatchError` unless keys and shapes match exactly."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
        for k in sorted(set(own) & set(state))
        if state[k].shape != own[k].shape
    ]
    if not (missing or unexpected or shapes):
        return
    parts = [f'checkpoint {filename} does not fit {type(model).__name__}:']
    if missing:
        parts.append(f'missing keys {_summarise(missing)}')
    if unexpected:
        parts.append(f'unexpected keys {_summarise(unexpected)}')
    if shapes:
        parts.append(f'shape mismatches {_summarise(shapes, 3)}')
    if len(missing) > 0.5 * len(own):
        parts.append(
            'most keys differ: the checkpoint is probably of another architecture '
            'or width than the config'
        )
    raise CheckpointMismatchError('; '.join(parts))


def load_model_checkpoint(
    model: nn.Module, filename: str, map_location: str = 'cpu'
) -> dict:
    """Load ``filename`` (path or URL) into ``model`` strictly; return its meta.

    Loading follows :func:`inpaintzoo.engine.checkpoint.load_checkpoint_file`:
    tensors and the runner-checkpoint allow-list only, URLs hash-checked.
    """
    if is_model_wrapper(model):
        model = model.module
    checkpoint = load_checkpoint_file(filename, map_location=map_location)
    state = extract_state_dict(checkpoint, filename)
    check_state_dict(model, state, filename)
    model.load_state_dict(state, strict=True)
    return dict(checkpoint.get('meta', {})) if 'state_dict' in checkpoint else {}
