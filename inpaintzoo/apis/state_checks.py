"""Checks of a checkpoint's state dict against a model, before anything loads.

:class:`StateSpec` is what a model's state dict looks like (keys, shapes, dtypes;
no values). The checks refuse, each with one message naming the file: a state
that is not a non-empty dict of string keys to tensors
(:func:`validate_state_dict`), keys or shapes that differ from the model's
(:func:`check_state_dict`), integer tensors where the model has floating ones and
NaN / Inf values (:func:`check_state_values`, :func:`check_finite`). Used by
:mod:`inpaintzoo.apis.checkpoint_loading` and the runners' ``load_from`` /
``resume`` (:mod:`inpaintzoo.engine.runner`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import get_state_dict
from torch import nn

from inpaintzoo.utils.errors import CheckpointMismatchError, CorruptCheckpointError


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
        model = unwrap_model(model)
        tensors = {
            k: torch.empty(v.shape, dtype=v.dtype, device='meta')
            for k, v in get_state_dict(model).items()
        }
        children = {
            n: type(unwrap_model(c)).__name__ for n, c in model.named_children()
        }
        return cls(type(model).__name__, tensors, children)

    def child(self, name: str) -> 'StateSpec':
        """The spec of the child module ``name`` (keys without ``name.``)."""
        prefix = f'{name}.'
        tensors = {
            k[len(prefix) :]: v for k, v in self.tensors.items() if k.startswith(prefix)
        }
        return StateSpec(self.children.get(name, name), tensors, {})


def unwrap_model(model: nn.Module) -> nn.Module:
    """The module inside an MMEngine model wrapper (DDP, ...), else ``model``."""
    return model.module if is_model_wrapper(model) else model


def state_spec(model: 'nn.Module | StateSpec') -> StateSpec:
    """``model``'s :class:`StateSpec` (``model`` itself if it is one)."""
    return model if isinstance(model, StateSpec) else StateSpec.of(model)


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
    own = state_spec(model).tensors
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
    spec = state_spec(model)
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
    spec = state_spec(model)
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
