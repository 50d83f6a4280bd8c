"""Strict, well-explained loading of inpaintzoo checkpoints into a model.

Accepted files: runner checkpoints (``iter_N.pth``), published checkpoints
(``{'state_dict', 'meta'}``), bare state dicts and ``.safetensors`` files.
A **generator-only** checkpoint (only ``generator.*`` keys, or the bare keys of
the generator, as the official converter writes without ``--dis`` and as weights
are normally published) is loaded strictly into ``model.generator``; the
discriminator keeps its current weights. That is all testing and inference need;
resuming a training needs the full state and refuses such a file
(``allow_generator_only=False``).

Nothing is loaded into the model before the whole file passed the checks: a
dict of string keys to tensors (:func:`validate_state_dict`, a dict ``meta``),
the model's keys and shapes (:func:`check_state_dict`), floating tensors for
floating weights and finite values (:func:`check_state_values`). Each problem is
one :class:`CheckpointMismatchError` naming the file. The runners' ``load_from``
and ``resume`` use the same checks (:mod:`inpaintzoo.engine.runner`).
"""

import os
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import get_state_dict, load_state_dict
from torch import nn

from inpaintzoo.apis.state_checks import (
    StateSpec,
    check_state_dict,
    check_state_values,
    state_spec,
    unwrap_model,
    validate_state_dict,
)
from inpaintzoo.engine.checkpoint import load_checkpoint_file
from inpaintzoo.utils.errors import CheckpointMismatchError, CorruptCheckpointError

#: MMEngine's default ``revise_keys``: strip a ``module.`` prefix
MODULE_PREFIX_REVISE = ((r'^module\.', ''),)

#: what to do with an official checkpoint, by the kind of network it holds
#: (``inpaintzoo convert``; ``--help`` lists the ARCH names)
_OFFICIAL_HINT = {
    'generator': (
        'it looks like an official generator checkpoint; convert it first with '
        '`inpaintzoo convert --arch ARCH {file} OUT.pth` (ARCH: its model, see '
        '`inpaintzoo convert --help`), then load OUT.pth with the config it writes '
        'next to it'
    ),
    'discriminator': (
        'it looks like an official discriminator checkpoint; convert it together '
        'with its generator: `inpaintzoo convert --arch ARCH GENERATOR.pth OUT.pth '
        '--dis {file}` (ARCH: its model, see `inpaintzoo convert --help`)'
    ),
}


def _select_state(checkpoint: Any, filename: str) -> Any:
    """The part of ``checkpoint`` that should be the model state dict."""
    if not isinstance(checkpoint, Mapping):
        raise CheckpointMismatchError(
            f'{filename} does not hold a dict but a {type(checkpoint).__name__}'
        )
    if 'state_dict' in checkpoint:
        return checkpoint['state_dict']
    for kind in ('generator', 'discriminator'):
        if isinstance(checkpoint.get(kind), Mapping):
            raise CheckpointMismatchError(
                f'{filename}: '
                + _OFFICIAL_HINT[kind].format(file=shlex.quote(str(filename)))
            )
    return checkpoint


def extract_state_dict(checkpoint: Mapping, filename: str) -> dict:
    """The model state dict of a runner or published checkpoint, ``module.`` removed.

    Raises:
        CheckpointMismatchError: the file holds no usable state dict (see
            :func:`validate_state_dict`), or is an unconverted official file.
    """
    return revised_state_dict(checkpoint, filename, MODULE_PREFIX_REVISE)


def revised_state_dict(
    checkpoint: Any, filename: str, revise_keys: Sequence[tuple[str, str]] = ()
) -> dict:
    """The validated state dict of ``checkpoint`` with MMEngine's ``revise_keys``.

    ``revise_keys`` are ``(pattern, replacement)`` pairs applied to every key in
    turn, as ``Runner.load_checkpoint`` applies them (default there: strip
    ``module.``).
    """
    state = _select_state(checkpoint, filename)
    validate_state_dict(state, filename)
    state = dict(state)
    for pattern, replacement in revise_keys:
        state = {re.sub(pattern, replacement, k): v for k, v in state.items()}
    return state


def checkpoint_meta(checkpoint: Mapping, filename: str) -> dict:
    """The ``meta`` dict of a runner or published checkpoint (``{}`` if none).

    Raises:
        CheckpointMismatchError: ``meta`` is there but not a dict.
    """
    if 'state_dict' not in checkpoint or checkpoint.get('meta') is None:
        return {}
    meta = checkpoint['meta']
    if not isinstance(meta, Mapping):
        raise CheckpointMismatchError(
            f'checkpoint {filename} is damaged or not an inpaintzoo checkpoint: its '
            f'meta is {meta!r:.40} ({type(meta).__name__}), not a dict'
        )
    return dict(meta)


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

    A ``.safetensors`` file has no checksum: a damaged header or a wrong size is
    refused here, damaged tensor data only when it gives NaN/Inf (see
    :func:`check_state_values`).

    Raises:
        FileNotFoundError: the file does not exist.
        CheckpointMismatchError: ``safetensors`` is not installed.
        CorruptCheckpointError: the file is not a readable safetensors file.
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
        raise CorruptCheckpointError(
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
    return state, checkpoint_meta(checkpoint, str(filename))


def generator_state(model: 'nn.Module | StateSpec', state: Mapping) -> dict | None:
    """The generator's state dict if ``state`` holds the generator only, else None.

    Generator-only means every key starts with ``generator.`` while the model
    has other keys too (a discriminator), or the keys are exactly the bare keys
    of ``model.generator``.
    """
    spec = state_spec(model)
    generator = spec.child(GENERATOR_PREFIX[:-1]).tensors
    if not generator or not state:
        return None
    if all(k.startswith(GENERATOR_PREFIX) for k in state):
        if len(generator) == len(spec.tensors):
            return None  # a generator-only model: the full check applies
        return {k[len(GENERATOR_PREFIX) :]: v for k, v in state.items()}
    if set(state) == set(generator):
        return dict(state)
    return None


def checked_state_dict(
    model: 'nn.Module | StateSpec',
    state: Mapping,
    filename: str,
    allow_generator_only: bool = True,
) -> dict[str, torch.Tensor]:
    """``state`` checked against ``model``, with the model's own keys.

    A generator-only state (see :func:`generator_state`) must fit
    ``model.generator`` exactly and comes back with ``generator.`` keys; any
    other state must fit the whole model key for key. Values are checked by
    :func:`check_state_values`.

    Raises:
        CheckpointMismatchError: keys, shapes or dtypes do not fit (naming
            them), or a generator-only state where ``allow_generator_only`` is
            False.
        CorruptCheckpointError: NaN or Inf values.
    """
    spec = state_spec(model)
    gen_state = generator_state(spec, state)
    if gen_state is None:
        check_state_dict(spec, state, filename)
        check_state_values(spec, state, filename)
        return dict(state)
    if not allow_generator_only:
        raise CheckpointMismatchError(
            _GENERATOR_ONLY_RESUME.format(filename=filename, n=len(state))
        )
    gen_spec = spec.child(GENERATOR_PREFIX[:-1])
    check_state_dict(gen_spec, gen_state, f'{filename} (generator only)')
    check_state_values(gen_spec, gen_state, f'{filename} (generator only)')
    return {GENERATOR_PREFIX + k: v for k, v in gen_state.items()}


def load_checked_state(model: nn.Module, state: Mapping) -> None:
    """Load a state from :func:`checked_state_dict` into ``model``.

    A full state loads strictly; a generator-only one loads strictly into
    ``model.generator`` (the other submodules keep their weights). Model
    wrappers (also around submodules) are unwrapped as MMEngine does.
    """
    model = unwrap_model(model)
    if all(k.startswith(GENERATOR_PREFIX) for k in state) and len(state) < len(
        get_state_dict(model)
    ):
        gen_state = {k[len(GENERATOR_PREFIX) :]: v for k, v in state.items()}
        load_state_dict(model.generator, gen_state, strict=True)
        return
    load_state_dict(model, dict(state), strict=True)


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
    Non-finite values and non-floating tensors for floating weights are refused
    (:func:`check_state_values`).

    Args:
        model (nn.Module): the model (a model wrapper is unwrapped).
        filename (str): ``.pth`` path or http(s)/``file://`` URL, or
            ``.safetensors`` path.
        map_location (str): device the tensors are loaded to. Defaults to
            ``'cpu'``.
        allow_generator_only (bool): accept a generator-only checkpoint. Pass
            False where the full state is needed (resuming a training).
            Defaults to True.

    Returns:
        dict: the checkpoint's ``meta`` (empty for bare state dicts).

    Raises:
        CheckpointMismatchError: the file holds no valid state dict, or keys,
            shapes or dtypes do not fit (naming them), or a generator-only file
            where the full state is needed.
        CorruptCheckpointError: damaged file, or NaN/Inf values.
    """
    if is_model_wrapper(model):
        model = model.module
    state, meta = read_checkpoint(filename, map_location)
    checked = checked_state_dict(model, state, filename, allow_generator_only)
    load_checked_state(model, checked)
    return meta
