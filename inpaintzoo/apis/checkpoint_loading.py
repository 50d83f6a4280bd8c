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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import get_state_dict, load_state_dict
from torch import nn

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


@dataclass(frozen=True)
class StateSpec:
    """Keys, shapes and dtypes of a model's state dict, without the values.

    What the checks below compare a checkpoint with. It can be taken from a
    model before it is wrapped (FSDP shards the parameters it wraps).

    Attributes:
        name (str): the model's class name, for messages.
        tensors (dict[str, Tensor]): state-dict keys -> tensors on the ``meta``
            device (shape and dtype only).
        children (dict[str, str]): child module name -> its class name.
    """

    name: str
    tensors: dict[str, torch.Tensor]
    children: dict[str, str]

    @classmethod
    def of(cls, model: nn.Module) -> 'StateSpec':
        """The spec of ``model``.

        Model wrappers are unwrapped, also around submodules (DDP around the
        generator and the discriminator): the keys are those a checkpoint has.
        """
        model = _unwrap(model)
        tensors = {
            k: torch.empty(v.shape, dtype=v.dtype, device='meta')
            for k, v in get_state_dict(model).items()
        }
        children = {n: type(_unwrap(c)).__name__ for n, c in model.named_children()}
        return cls(type(model).__name__, tensors, children)

    def child(self, name: str) -> 'StateSpec':
        """The spec of the child module ``name`` (keys without ``name.``)."""
        prefix = f'{name}.'
        tensors = {
            k[len(prefix) :]: v for k, v in self.tensors.items() if k.startswith(prefix)
        }
        return StateSpec(self.children.get(name, name), tensors, {})


def _unwrap(model: nn.Module) -> nn.Module:
    return model.module if is_model_wrapper(model) else model


def _spec(model: 'nn.Module | StateSpec') -> StateSpec:
    return model if isinstance(model, StateSpec) else StateSpec.of(model)


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


def _shown(items: list, limit: int = 3) -> str:
    text = ', '.join(map(str, items[:limit]))
    return text + (', ...' if len(items) > limit else '')


def validate_state_dict(state: Any, filename: str) -> None:
    """Raise unless ``state`` is a non-empty dict of ``str`` keys -> tensors.

    Raises:
        CheckpointMismatchError: names the file and what is wrong (not a
            dict, empty, keys that are not strings, values that are not tensors).
    """
    if not isinstance(state, Mapping):
        raise CheckpointMismatchError(
            f'{filename} is not a model checkpoint: its state_dict is a '
            f'{type(state).__name__}, not a dict of parameter names to tensors'
        )
    if not state:
        raise CheckpointMismatchError(
            f'checkpoint {filename} holds no tensors (its state dict is empty): '
            'probably a broken save or export; use another checkpoint'
        )
    bad_keys = [k for k in state if not isinstance(k, str)]
    if bad_keys:
        raise CheckpointMismatchError(
            f'{filename} is not a model checkpoint: its state dict has '
            f'{len(bad_keys)} keys that are not strings '
            f'({_shown([repr(k) for k in bad_keys])}); a model state dict maps '
            'parameter names to tensors'
        )
    non_tensors = [
        f'{k}: {type(v).__name__}' for k, v in state.items() if not torch.is_tensor(v)
    ]
    if non_tensors:
        raise CheckpointMismatchError(
            f'{filename} is not a model checkpoint: its entries are not all tensors '
            f'({len(non_tensors)} are not: {_shown(non_tensors)})'
        )


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


def _summarise(keys: list[str], limit: int = 5) -> str:
    shown = ', '.join(keys[:limit])
    return f'{len(keys)} ({shown}{", ..." if len(keys) > limit else ""})'


def state_dict_differences(
    model: 'nn.Module | StateSpec', state: Mapping, source: str = 'checkpoint'
) -> tuple[list[str], list[str], list[str]]:
    """Keys of ``model`` missing from ``state``, keys it does not have, and shapes.

    Args:
        model: the model, or its :class:`StateSpec`.
        state: the checkpoint's state dict.
        source: how ``state`` is called in the shape lines.

    Returns:
        ``(missing, unexpected, shape_mismatches)``: sorted key lists and
        ``'key: <source> (shape) vs model (shape)'`` lines.
    """
    own = _spec(model).tensors
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f'{k}: {source} {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
        for k in sorted(set(own) & set(state))
        if state[k].shape != own[k].shape
    ]
    return missing, unexpected, shapes


def check_state_dict(
    model: 'nn.Module | StateSpec', state: Mapping, filename: str
) -> None:
    """Raise :class:`CheckpointMismatchError` unless keys and shapes match exactly."""
    spec = _spec(model)
    missing, unexpected, shapes = state_dict_differences(spec, state)
    if not (missing or unexpected or shapes):
        return
    parts = []
    if missing:
        parts.append(f'missing keys {_summarise(missing)}')
    if unexpected:
        parts.append(f'unexpected keys {_summarise(unexpected)}')
    if shapes:
        parts.append(f'shape mismatches {_summarise(shapes, 3)}')
    if len(missing) > 0.5 * len(spec.tensors):
        parts.append(
            'most keys differ: the checkpoint is probably of another architecture '
            'or width than the config'
        )
    raise CheckpointMismatchError(
        f'checkpoint {filename} does not fit {spec.name}: ' + '; '.join(parts)
    )


def check_state_values(
    model: 'nn.Module | StateSpec', state: Mapping, filename: str
) -> None:
    """Refuse values that would load as wrong weights (keys must already fit).

    * a tensor that is not floating point where the model's is (e.g. int64
      weights, which ``load_state_dict`` would silently cast);
    * NaN or Inf in a floating tensor (a diverged training or a damaged file).

    Raises:
        CheckpointMismatchError: non-floating tensors, naming the file, the
            count and the first keys with their dtypes.
        CorruptCheckpointError: non-finite values, naming the file, the count
            of tensors and the first keys.
    """
    spec = _spec(model)
    own = spec.tensors
    not_float = [
        f'{k}: {v.dtype} vs model {own[k].dtype}'
        for k, v in state.items()
        if k in own and own[k].is_floating_point() and not v.is_floating_point()
    ]
    if not_float:
        raise CheckpointMismatchError(
            f'checkpoint {filename} does not fit {spec.name}: {len(not_float)} '
            "tensors are not floating point where the model's are "
            f'({_shown(not_float)}); it is not a weights file of this model (or was '
            'converted wrongly)'
        )
    check_finite(state, filename)


def check_finite(
    state: Mapping, filename: str, advice: str = 'use another checkpoint'
) -> None:
    """Refuse NaN or Inf in any floating tensor of ``state``.

    Raises:
        CorruptCheckpointError: names the file, the count of tensors, the first
            keys and ``advice`` (what to do instead).
    """
    bad = [
        k
        for k, v in state.items()
        if v.is_floating_point() and not bool(torch.isfinite(v).all())
    ]
    if bad:
        raise CorruptCheckpointError(
            f'checkpoint {filename} holds NaN or Inf values in {len(bad)} tensors '
            f'({_shown(bad, 5)}); these are no usable weights (a diverged training '
            f'or a damaged file): {advice}'
        )


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
    spec = _spec(model)
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
    spec = _spec(model)
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
    model = _unwrap(model)
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
