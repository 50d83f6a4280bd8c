"""Build a block into a slot, refusing keywords the block does not take.

Swapping a slot's type in a child config without ``_delete_=True`` keeps the base
type's keys (MMEngine merges dicts), e.g. HINT's ``attn=dict(type='SCAL',
bias=False)`` plus ``attn=dict(type='SnakeMambaBlock')`` gives
``SnakeMambaBlock(bias=False)``. Python's own ``TypeError`` names neither the
slot nor the fix; :func:`check_slot_config` does, for a whole config tree.

It also checks that each block fits its slot's contract
(:mod:`inpaintzoo.models.layers.slot_table`), so ``down=dict(type='GDFN')`` is a
one-line :class:`ConfigError` at build time, not a shape error in the first
forward. MMEngine's ``_delete_`` marker is ignored here and dropped by
``MODELS.build`` (:func:`inpaintzoo.registry.without_delete_keys`).
"""

import inspect
from typing import Any

from inpaintzoo.models.layers.slot_table import check_slot_kind, slot_kind
from inpaintzoo.registry import DELETE_KEY, MODELS
from inpaintzoo.utils.errors import ConfigError

_IGNORED = frozenset({'type', DELETE_KEY})


def accepted_kwargs(cls: type) -> list[str] | None:
    """Keyword arguments ``cls(...)`` accepts, or None if it takes ``**kwargs``."""
    params = list(inspect.signature(cls).parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return [
        p.name
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _resolve(type_: Any) -> type | None:
    if inspect.isclass(type_):
        return type_
    if isinstance(type_, str):
        return MODELS.get(type_)
    return None


def check_slot_config(
    cfg: Any,
    slot: str,
    default_args: dict | None = None,
    owner: str = '',
    parent: type | None = None,
) -> None:
    """Check that ``cfg`` and every nested block config fit their slots.

    Walks ``cfg`` recursively: each dict with a registered ``type`` is checked
    against its slot's contract (:func:`~.slot_table.check_slot_kind`: the class
    must be one of the slot's choices, a subclass of one, or a class of the
    user's own package whose ``forward`` takes the slot's inputs) and against its
    class's constructor signature; nested dicts are checked as sub-slots
    (``block.attn``, ``block.attn.mamba``, ...). Classes taking ``**kwargs`` skip
    the keyword check and unknown types are skipped (``MODELS.build`` reports
    those).

    Args:
        cfg (Any): the slot's config, e.g. ``dict(type='SandwichBlock', ...)``.
        slot (str): dotted slot name used in the message, e.g. ``'block'``.
        default_args (dict, optional): keywords the owner passes to the slot
            (``dim``, ``num_heads``); a block that does not take them does not fit
            the slot. Defaults to None.
        owner (str): class that owns the slot, for the message (``'InpaintUNet'``).
        parent (type, optional): class whose config holds ``cfg`` (set by the
            recursion; tells a Mamba mixer's ``mamba`` from ``HybridBlock``'s).

    Raises:
        ConfigError: a class that does not fit the slot (naming the slot, its
            contract and its choices), or keys it does not take (naming the
            slot, the block type, the unexpected keys, the accepted ones and the
            ``_delete_=True`` fix).
    """
    if not isinstance(cfg, dict):
        return
    cls = _resolve(cfg.get('type'))
    where = f"{owner} slot '{slot}'" if owner else f"slot '{slot}'"
    leaf = slot.rsplit('.', 1)[-1]
    if cls is not None:
        kind = slot_kind(leaf, parent)
        if kind is not None:
            type_ = cfg.get('type')
            check_slot_kind(cls, kind, where, type_ if isinstance(type_, str) else None)
        accepted = accepted_kwargs(cls)
        if accepted is not None:
            _check_keys(cfg, cls.__name__, where, leaf, accepted, default_args or {})
    for key, value in cfg.items():
        if isinstance(value, dict) and key not in _IGNORED:
            check_slot_config(value, f'{slot}.{key}', owner=owner, parent=cls)


def _accepts(accepted: list[str]) -> str:
    return f'it accepts {accepted}' if accepted else 'it takes no keywords'


def _check_keys(
    cfg: dict,
    name: str,
    where: str,
    leaf: str,
    accepted: list[str],
    default_args: dict,
) -> None:
    unexpected = sorted(k for k in cfg if k not in _IGNORED and k not in accepted)
    passed = sorted(k for k in default_args if k not in accepted and k not in cfg)
    if not unexpected and not passed:
        return
    parts = []
    if unexpected:
        parts.append(
            f'{name} in {where} got keywords it does not take: {unexpected} '
            f'({_accepts(accepted)}). If a child config changed this type, the '
            "base config's keys were merged in: add _delete_=True to the new dict, "
            f"e.g. {leaf}=dict(_delete_=True, type='{name}', ...)."
        )
    if passed:
        parts.append(
            f'{name} does not fit {where}: the slot passes {passed}, which '
            f'{name} does not take (it accepts {accepted}); see the slot table in '
            'docs/config_system.md.'
        )
    raise ConfigError(' '.join(parts))
