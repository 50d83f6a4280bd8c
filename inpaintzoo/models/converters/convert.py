"""Convert official state dicts to inpaintzoo ones (and back), with full checking."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import torch
from torch import nn

from inpaintzoo.models.converters.base import (
    get_converter,
    mismatch_error,
    unwrap_checkpoint,
)
from inpaintzoo.models.converters.key_mapping import compile_template, summarize_keys
from inpaintzoo.utils.errors import CheckpointMismatchError


@dataclass
class ConversionResult:
    """Output of :func:`convert_official`.

    Attributes:
        state_dict (dict[str, Tensor]): inpaintzoo keys -> tensors.
        dropped (dict[str, str]): official keys left out -> reason (alias / dead).
    """

    state_dict: dict[str, torch.Tensor]
    dropped: dict[str, str] = field(default_factory=dict)


def convert_official(
    checkpoint: Mapping, arch: str, model: nn.Module | None = None
) -> ConversionResult:
    """Convert an official checkpoint of ``arch`` to inpaintzoo keys.

    Args:
        checkpoint (Mapping): bare official state dict, an official checkpoint file
            dict (``{'iteration', 'generator'}`` / ``{'discriminator'}``) or
            ``{'state_dict': ...}``; a ``module.`` prefix is stripped.
        arch (str): converter name, e.g. ``'hint'`` or ``'discriminator'``.
        model (nn.Module, optional): target model; when given, the converted keys
            must equal its state-dict keys and every shape must match.

    Returns:
        ConversionResult: converted state dict and the documented dropped keys.

    Raises:
        CheckpointMismatchError: unmapped, missing, unexpected or mis-shaped keys,
            naming the keys and the checkpoint's likely architecture.
    """
    conv = get_converter(arch)
    sd = unwrap_checkpoint(checkpoint, arch)
    keys = list(sd)
    out: dict[str, torch.Tensor] = {}
    dropped: dict[str, str] = {}
    unmapped: list[str] = []
    for key, value in sd.items():
        target = conv.alias_target(key)
        if target is not None:
            if target not in sd or not torch.equal(sd[target], value):
                raise CheckpointMismatchError(
                    f'alias key {key!r} must equal {target!r} in a {arch!r} checkpoint'
                )
            dropped[key] = f'alias of {target}'
            continue
        if conv.is_dead(key):
            dropped[key] = 'documented dead key (unused by the official forward)'
            continue
        new = conv.map_key(key)
        if new is None:
            unmapped.append(key)
        elif new in out:
            raise CheckpointMismatchError(f'two official keys map to {new!r}')
        else:
            out[new] = value
    if unmapped:
        raise mismatch_error(
            arch,
            keys,
            f'{len(unmapped)} keys have no {arch!r} rule: {summarize_keys(unmapped)}',
        )
    if model is not None:
        check_state_dict(out, model, arch, official_keys=keys)
    return ConversionResult(out, dropped)


def convert_official_state_dict(
    arch: str, checkpoint: Mapping, model: nn.Module | None = None
) -> dict[str, torch.Tensor]:
    """Official checkpoint of ``arch`` -> an inpaintzoo state dict (keys of ours).

    :func:`convert_official` without the report of dropped keys, e.g. to load the
    official ``g0``/``d0`` weights into a model with ``load_state_dict``.

    Args:
        arch (str): ``'hint'``, ``'mxt'``, ``'sem_net'`` or ``'discriminator'``.
        checkpoint (Mapping): official state dict or checkpoint file dict.
        model (nn.Module, optional): when given, keys and shapes must fit it.

    Returns:
        dict[str, Tensor]: state dict with inpaintzoo keys.
    """
    return convert_official(checkpoint, arch, model).state_dict


def check_state_dict(
    state_dict: Mapping[str, torch.Tensor],
    model: nn.Module,
    arch: str,
    official_keys: list[str] | None = None,
) -> None:
    """Raise :class:`CheckpointMismatchError` unless keys and shapes fit ``model``."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    problems = []
    if missing:
        problems.append(f'missing keys: {summarize_keys(missing)}')
    if unexpected:
        problems.append(f'unexpected keys: {summarize_keys(unexpected)}')
    shapes = [
        f'{k}: checkpoint {tuple(v.shape)} vs model {tuple(expected[k].shape)}'
        for k, v in state_dict.items()
        if k in expected and v.shape != expected[k].shape
    ]
    if shapes:
        problems.append(f'shape mismatches: {summarize_keys(shapes, 4)}')
    if problems:
        keys = official_keys if official_keys is not None else list(state_dict)
        raise mismatch_error(
            arch,
            keys,
            f'{arch!r} checkpoint does not fit {type(model).__name__}: '
            + '; '.join(problems),
        )


def to_official(state_dict: Mapping[str, torch.Tensor], arch: str) -> dict:
    """Inverse of :func:`convert_official`: inpaintzoo keys -> official keys.

    Documented aliases are added back (sharing the canonical tensor); dead keys
    cannot be recreated and are absent.
    """
    conv = get_converter(arch)
    out: dict[str, torch.Tensor] = {}
    unmapped = []
    for key, value in state_dict.items():
        official = conv.inverse_key(key)
        if official is None:
            unmapped.append(key)
        else:
            out[official] = value
    if unmapped:
        raise CheckpointMismatchError(
            f'{len(unmapped)} inpaintzoo keys have no {arch!r} rule: '
            f'{summarize_keys(unmapped)}'
        )
    for alias, canonical in conv.aliases:
        for key in list(out):
            alias_key = _alias_of(key, canonical, alias)
            if alias_key is not None:
                out[alias_key] = out[key]
    return out


def _alias_of(key: str, canonical: str, alias: str) -> str | None:
    m = compile_template(canonical).match(key)
    return alias.format(**m.groupdict()) if m else None
