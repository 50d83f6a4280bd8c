"""Strict, well-explained loading of inpaintzoo checkpoints into a model.

Accepted files: runner checkpoints (``iter_N.pth``), published checkpoints
(``{'state_dict', 'meta'}``), bare state dicts and ``.safetensors`` files.
A **generator-only** checkpoint (only ``generator.*`` keys, or the bare keys of
the generator, as the official converter writes without ``--dis`` and as weights
are normally published) is loaded strictly into ``model.generator``; the
discriminator keeps its current weights. That is all testing and inference need;
resuming a training needs the full state and refuses such a file
(``allow_generator_only=False``).
"""

import os
from collections.abc import Mapping
from pathlib import Path

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


def state_dict_differences(
    model: nn.Module, state: dict, source: str = 'checkpoint'
) -> tuple[list[str], list[str], list[str]]:
    """Keys of ``model`` missing from ``state``, keys it does not have, and shapes.

    Returns:
        ``(missing, unexpected, shape_mismatches)``: sorted key lists and
        ``'key: <source> (shape) vs model (shape)'`` lines.
    """
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f'{k}: {source} {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
        for k in sorted(set(own) & set(state))
        if state[k].shape != own[k].shape
    ]
    return missing, unexpected, shapes


def check_state_dict(model: nn.Module, state: dict, filename: str) -> None:
    """Raise :class:`CheckpointMismatchError` unless keys and shapes match exactly."""
    own = model.state_dict()
    missing, unexpected, shapes = state_dict_differences(model, state)
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


GENERATOR_PREFIX = 'generator.'

_GENERATOR_ONLY_RESUME = (
    'checkpoint {filename} holds only the generator ({n} tensors); that is enough '
    'to test or run inference, but resuming or continuing a training needs the '
    'full model state (generator and discriminator, plus optimiser state to '
    'resume): use a runner checkpoint (work_dirs/<config>/iter_N.pth), or start a '
    'new training whose generator is initialised from this file'
)


def load_safetensors_file(filename: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Tensors of a ``.safetensors`` file (needs the ``safetensors`` package).

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointMismatchError: ``safetensors`` is not installed, or the file is
            not a readable safetensors file.
    """
    path = Path(filename)
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    try:
        from safetensors.torch import load_file
    except ImportError as err:
        raise CheckpointMismatchError(
            f'loading {filename} needs the safetensors package: pip install safetensors'
        ) from err
    try:
        return load_file(str(path), device='cpu')
    except Exception as err:  # SafetensorError is not exported uniformly
        raise CheckpointMismatchError(
            f'{filename} is not a readable .safetensors file ({err}); '
            're-download or re-convert it'
        ) from err


def read_checkpoint(
    filename: str, map_location: str = 'cpu'
) -> tuple[dict[str, torch.Tensor], dict]:
    """``(state dict, meta)`` of a ``.pth`` (path or URL) or ``.safetensors`` file.

    ``.pth`` files go through :func:`inpaintzoo.engine.checkpoint.
    load_checkpoint_file` (tensors and the runner allow-list only, URLs
    hash-checked); ``module.`` prefixes are removed.
    """
    if str(filename).endswith('.safetensors'):
        state = load_safetensors_file(filename)
        return extract_state_dict(state, str(filename)), {}
    checkpoint = load_checkpoint_file(str(filename), map_location=map_location)
    state = extract_state_dict(checkpoint, str(filename))
    meta = dict(checkpoint.get('meta', {})) if 'state_dict' in checkpoint else {}
    return state, meta


def generator_state(model: nn.Module, state: Mapping) -> dict | None:
    """The generator's state dict if ``state`` holds the generator only, else None.

    Generator-only means every key starts with ``generator.`` while the model
    has other keys too (a discriminator), or the keys are exactly the bare keys
    of ``model.generator``.
    """
    generator = getattr(model, 'generator', None)
    if not isinstance(generator, nn.Module) or not state:
        return None
    own = model.state_dict()
    if all(k.startswith(GENERATOR_PREFIX) for k in state):
        if all(k.startswith(GENERATOR_PREFIX) for k in own):
            return None  # a generator-only model: the full check applies
        return {k[len(GENERATOR_PREFIX) :]: v for k, v in state.items()}
    if set(state) == set(generator.state_dict()):
        return dict(state)
    return None


def load_model_checkpoint(
    model: nn.Module,
    filename: str,
    map_location: str = 'cpu',
    allow_generator_only: bool = True,
) -> dict:
    """Load ``filename`` (path, URL or ``.safetensors``) into ``model`` strictly.

    A generator-only checkpoint (see :func:`generator_state`) is loaded strictly
    into ``model.generator``; other submodules (the discriminator) are left as
    they are. Any other checkpoint must fit the whole model key for key.

    Args:
        model (nn.Module): the model (a model wrapper is unwrapped).
        filename (str): ``.pth`` path or http(s) URL, or ``.safetensors`` path.
        map_location (str): device the tensors are loaded to. Defaults to
            ``'cpu'``.
        allow_generator_only (bool): accept a generator-only checkpoint. Pass
            False where the full state is needed (resuming a training).
            Defaults to True.

    Returns:
        dict: the checkpoint's ``meta`` (empty for bare state dicts).

    Raises:
        CheckpointMismatchError: keys or shapes do not fit (naming them), or a
            generator-only file where the full state is needed.
    """
    if is_model_wrapper(model):
        model = model.module
    state, meta = read_checkpoint(filename, map_location)
    gen_state = generator_state(model, state)
    if gen_state is not None:
        if not allow_generator_only:
            raise CheckpointMismatchError(
                _GENERATOR_ONLY_RESUME.format(filename=filename, n=len(state))
            )
        check_state_dict(model.generator, gen_state, f'{filename} (generator only)')
        model.generator.load_state_dict(gen_state, strict=True)
        return meta
    check_state_dict(model, state, filename)
    model.load_state_dict(state, strict=True)
    return meta
