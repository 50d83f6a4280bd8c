"""Refuse ``--cfg-options`` values that cannot work, before anything is built.

``--cfg-options`` parses scalars, lists and tuples; ``key=dict(type='X')``
arrives as the *string* ``"dict(type='X')"`` and fails deep in the model's
constructor. A misspelt entry under a section of registered components
(``model.losses.perceptal.loss_weight=0.2``) creates a new entry without
``type=``, which fails in the registry. :func:`check_cfg_option_values` names
both in one :class:`ConfigError` on every rank.
"""

import difflib
import re
from collections.abc import Mapping
from typing import Any

from inpaintzoo.apis.cfg_options import flatten_keys, suggest_keys
from inpaintzoo.utils.errors import ConfigError

#: a string that was meant as a dict: ``dict(...)`` or ``{'a': 1}``
_DICT_TEXT = re.compile(r'^\s*(dict\s*\(|\{.*:.*\}\s*$)', re.DOTALL)


def _dict_strings(value: Any) -> list[str]:
    """Strings in ``value`` (or its list/tuple items) that spell a dict."""
    items = value if isinstance(value, list | tuple) else [value]
    return [v for v in items if isinstance(v, str) and _DICT_TEXT.match(v)]


def _is_mapping(node: Any) -> bool:
    return isinstance(node, Mapping) or hasattr(node, 'items')


def _typeless_new_entry(
    cfg: Mapping, key: str, options: Mapping
) -> tuple[str, list[str]] | None:
    """The new entry ``key`` adds without ``type`` to a registry section, if any.

    A section is a dict without ``type`` whose entries are dicts with one
    (``model.losses``, ``default_hooks``); the config root is none. Returns the
    dotted path of the new entry (``'model.losses.perceptal'``) and the names of
    the section's existing entries.
    """
    parts = key.split('.')
    node = cfg
    for depth, part in enumerate(parts[:-1]):
        if not _is_mapping(node):
            return None
        if part not in node:
            if depth == 0:  # a new top-level key: only warned about
                return None
            entry = '.'.join(parts[: depth + 1])
            typed = [v for v in node.values() if _is_mapping(v) and 'type' in v]
            if 'type' in node or not typed or f'{entry}.type' in options:
                return None
            return entry, [str(k) for k in node]
        node = node[part]
    return None


def _entry_hints(cfg: Mapping, key: str, entry: str, names: list[str]) -> str:
    """``; did you mean ...?`` with the key under the closest existing entries."""
    section, name = entry.rsplit('.', 1)
    close = difflib.get_close_matches(name, names, n=2, cutoff=0.6)
    hints = [f'{section}.{c}{key[len(entry) :]}' for c in close]
    hints = hints or suggest_keys(key, flatten_keys(cfg))
    return f'; did you mean {" or ".join(map(repr, hints))}?' if hints else ''


def check_cfg_option_values(cfg: Mapping, options: Mapping[str, Any]) -> None:
    """Raise on ``--cfg-options`` that would fail later with a traceback.

    Call it before ``cfg.merge_from_dict(options)``.

    Raises:
        ConfigError: a value spelling a dict (``dict(...)`` or ``{...: ...}``),
            or a key creating an entry without ``type=`` among registered
            components (with the existing keys it probably meant).
    """
    for key, value in options.items():
        if _dict_strings(value):
            raise ConfigError(
                f'--cfg-options {key}={value!r}: a dict value cannot be passed on '
                'the command line (it arrives as a string); set the scalar keys '
                f'one by one ({key}.type=..., {key}.<arg>=...), adding '
                f'{key}._delete_=True if the old keys must go, or put the dict '
                'in a config file that inherits this one (docs/config_system.md)'
            )
        found = _typeless_new_entry(cfg, key, options)
        if found is None:
            continue
        entry, names = found
        raise ConfigError(
            f'--cfg-options key {key!r} creates a new entry {entry!r} without '
            f'type=, but every entry of {entry.rsplit(".", 1)[0]!r} is a '
            f'registered component; set {entry}.type=... for a new one'
            + _entry_hints(cfg, key, entry, names)
        )
