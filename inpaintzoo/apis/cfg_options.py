"""``--cfg-options KEY=VALUE ...``: clear parse errors, warnings for unknown keys.

MMEngine's ``DictAction`` fails on an item without ``=`` with Python's "not
enough values to unpack", and ``Config.merge_from_dict`` silently adds a key that
does not exist (``max_iters=2`` creates a new, unused top-level ``max_iters``
instead of changing ``train_cfg.max_iters``). These helpers fix both.
"""

import argparse
import difflib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from mmengine.config import DictAction

from inpaintzoo.utils.errors import ConfigError

#: top-level keys read when the runner is built (``Runner.from_cfg`` and our tools);
#: any other top-level key is a config variable, used only while the file is read
RUNNER_KEYS = frozenset(
    {
        'auto_scale_lr',
        'custom_hooks',
        'data_preprocessor',
        'default_hooks',
        'default_scope',
        'env_cfg',
        'experiment_name',
        'launcher',
        'load_from',
        'log_level',
        'log_processor',
        'model',
        'model_wrapper_cfg',
        'optim_wrapper',
        'param_scheduler',
        'randomness',
        'resume',
        'runner_type',
        'test_cfg',
        'test_dataloader',
        'test_evaluator',
        'train_cfg',
        'train_dataloader',
        'val_cfg',
        'val_dataloader',
        'val_evaluator',
        'visualizer',
        'work_dir',
    }
)

#: keys MMEngine's Runner reads inside type-less top-level sections, which may be
#: absent from a config file (``auto_scale_lr`` usually is); ``*`` marks a
#: sub-section passed on as keyword arguments (``init_dist``, ``set_multi_processing``)
RUNNER_SECTION_KEYS: dict[str, dict[str, bool]] = {
    'auto_scale_lr': {'enable': False, 'base_batch_size': False},
    'randomness': {'seed': False, 'diff_rank_seed': False, 'deterministic': False},
    'env_cfg': {
        'cudnn_benchmark': False,
        'mp_cfg': True,
        'dist_cfg': True,
        'resource_limit': False,
    },
}


def runner_section_key(key: str) -> bool:
    """Whether the Runner reads ``key`` in a :data:`RUNNER_SECTION_KEYS` section.

    ``auto_scale_lr.enable`` and ``env_cfg.dist_cfg.timeout`` are;
    ``auto_scale_lr.enabled`` is not.
    """
    parts = key.split('.')
    section = RUNNER_SECTION_KEYS.get(parts[0])
    if section is None or len(parts) < 2 or parts[1] not in section:
        return False
    return len(parts) == 2 or (section[parts[1]] and len(parts) == 3)


#: a value spelling a dict somewhere: ``dict(`` or ``{`` (also inside a list)
_DICT_IN_VALUE = re.compile(r'\bdict\s*\(|\{')


def check_cfg_option_item(item: str, config: str | None = None) -> None:
    """Refuse a ``--cfg-options`` item MMEngine's value parser cannot read.

    MMEngine's ``DictAction`` reads scalars, ``[lists]`` and ``(tuples)``; a value
    with commas inside parentheses that are not a tuple, such as
    ``[dict(type='MultiStepLR',gamma=0.78)]``, makes it recurse until Python's
    recursion limit, and unbalanced brackets fail its assertion. Values it can
    read pass (a ``dict(...)`` without commas arrives as a string and is refused
    later by :func:`~inpaintzoo.apis.cfg_option_values.check_cfg_option_values`).

    Args:
        item (str): one ``KEY=VALUE`` item (an item without ``=`` passes: the
            action reports it).
        config (str | None): the config file being run, named in the message.

    Raises:
        ConfigError: one line naming the item and what to do instead.
    """
    key, sep, value = item.partition('=')
    if not sep:
        return
    try:
        DictAction._parse_iterable(value)
        return
    except (RecursionError, AssertionError):
        pass
    base = f'_base_ = {config!r}' if config else "_base_ = '<the config being run>'"
    inherit = (
        f'write a small config that inherits the one being run ({base}) and set '
        f'{key} there (docs/config_system.md, "Swapping a block: one line")'
    )
    if _DICT_IN_VALUE.search(value):
        raise ConfigError(
            f'--cfg-options {item}: dict(...) values are not supported in '
            f'--cfg-options; {inherit}'
        )
    raise ConfigError(
        f'--cfg-options {item}: the value cannot be parsed (unbalanced brackets, '
        'or commas inside parentheses that are not a tuple); write lists as [a,b] '
        f'and tuples as (a,b), or {inherit}'
    )


class CfgOptionsAction(DictAction):
    """``DictAction`` that rejects an item without ``=`` with a clear message.

    The parser exits with status 2 and ``--cfg-options item 'foo' must be
    KEY=VALUE (e.g. train_cfg.max_iters=1000)``. A value MMEngine cannot parse
    (:func:`check_cfg_option_item`) raises a one-line :class:`ConfigError`
    (``run_cli`` prints it and exits 2) instead of MMEngine's ``RecursionError``
    / ``AssertionError`` traceback.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Check that every item has ``KEY=``, then parse as ``DictAction``."""
        items = [values] if isinstance(values, str) else list(values or [])
        for item in items:
            key = str(item).split('=', 1)[0]
            if '=' not in str(item) or not key.strip():
                parser.error(
                    f'--cfg-options item {item!r} must be KEY=VALUE '
                    '(e.g. train_cfg.max_iters=1000)'
                )
        config = getattr(namespace, 'config', None)
        for item in items:
            check_cfg_option_item(
                str(item), config if isinstance(config, str) else None
            )
        super().__call__(parser, namespace, values, option_string)


def add_cfg_options_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--cfg-options KEY=VALUE [KEY=VALUE ...]`` to ``parser``."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config values, e.g. train_cfg.max_iters=1000 '
        'model.generator.dim=32; a list value is written [a,b]; dict values '
        'go in a config that inherits this one',
    )


def flatten_keys(node: Any, prefix: str = '') -> list[str]:
    """Every key path of a nested config: dict keys and list indices, dotted.

    Args:
        node: a config (``Config``/``ConfigDict``/dict), a list or a leaf.
        prefix (str): path of ``node`` itself. Defaults to ``''``.

    Returns:
        list[str]: paths of all inner and leaf nodes below ``node``, e.g.
        ``['train_cfg', 'train_cfg.max_iters', 'custom_hooks', 'custom_hooks.0',
        ...]``.
    """
    if isinstance(node, Mapping) or hasattr(node, 'items'):  # Config is no Mapping
        children: Iterable[tuple[str, Any]] = ((str(k), v) for k, v in node.items())
    elif isinstance(node, list | tuple):
        children = ((str(i), v) for i, v in enumerate(node))
    else:
        return []
    paths = []
    for key, value in children:
        path = f'{prefix}.{key}' if prefix else key
        paths.append(path)
        paths.extend(flatten_keys(value, path))
    return paths


def suggest_keys(key: str, known: Sequence[str], limit: int = 3) -> list[str]:
    """Existing key paths a mistyped ``key`` probably meant.

    Paths whose last component equals ``key``'s come first (``max_iters`` ->
    ``train_cfg.max_iters``), then paths whose last component is close to it
    (``maxiters``), then close matches of the whole path, all by :mod:`difflib`;
    within that order, keys beside ``key`` (same parent) come before the others.
    Ancestors of ``key`` itself are never suggested.
    """
    candidates = [p for p in known if p != key and not key.startswith(p + '.')]
    last = key.rsplit('.', 1)[-1]
    by_tail: dict[str, list[str]] = {}
    for path in candidates:
        by_tail.setdefault(path.rsplit('.', 1)[-1], []).append(path)
    close_tails = difflib.get_close_matches(last, list(by_tail), n=limit, cutoff=0.75)
    ordered = sorted(by_tail.get(last, []), key=len)
    for tail in close_tails:
        ordered += sorted(by_tail[tail], key=len)
    ordered += difflib.get_close_matches(key, candidates, n=limit, cutoff=0.6)
    ordered = list(dict.fromkeys(ordered))
    parent = key.rsplit('.', 1)[0] + '.' if '.' in key else ''
    ordered.sort(key=lambda path: not path.startswith(parent))  # siblings first
    return ordered[:limit]


_MISSING = object()


def _node_at(cfg: Any, parts: Sequence[str]) -> Any:
    """The value at a dotted path (dict keys, list indices), or ``_MISSING``."""
    node = cfg
    for part in parts:
        if isinstance(node, Mapping) or hasattr(node, 'items'):
            if part not in node:
                return _MISSING
            node = node[part]
        elif isinstance(node, list | tuple) and part.isdigit():
            if int(part) >= len(node):
                return _MISSING
            node = node[int(part)]
        else:
            return _MISSING
    return node


def taken_by_component(cfg: Mapping, key: str) -> bool:
    """Whether a new ``key`` is an argument of the registered class that receives it.

    ``model.losses.perceptual.feature_net.weights`` is absent from the config,
    but its deepest existing parent ``model.losses.perceptual`` builds
    ``type='PerceptualLoss'``, which takes ``feature_net``: the key is read,
    though the file does not spell its default out. A class taking ``**kwargs``
    does not count (nothing says the key is used).
    """
    parts = key.split('.')
    for depth in range(len(parts) - 1, 0, -1):
        node = _node_at(cfg, parts[:depth])
        if node is _MISSING:
            continue
        kind = node.get('type') if hasattr(node, 'get') else None
        return isinstance(kind, str) and _class_takes(kind, parts[depth])
    return False


def _class_takes(type_name: str, argument: str) -> bool:
    """Whether the class registered as ``type_name`` has a parameter ``argument``."""
    import inspect

    from inpaintzoo import registry

    named = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
    for reg in (
        registry.MODELS,
        registry.DATASETS,
        registry.TRANSFORMS,
        registry.HOOKS,
        registry.OPTIMIZERS,
        registry.OPTIM_WRAPPERS,
        registry.PARAM_SCHEDULERS,
        registry.STRATEGIES,
        registry.MODEL_WRAPPERS,
        registry.METRICS,
        registry.LOOPS,
        registry.LOG_PROCESSORS,
        registry.DATA_SAMPLERS,
        registry.VISUALIZERS,
        registry.VISBACKENDS,
    ):
        try:
            cls = reg.get(type_name)
        except Exception:  # a scope or import problem: not this registry's
            cls = None
        if cls is None:
            continue
        try:
            params = inspect.signature(cls).parameters
        except (TypeError, ValueError):
            return False
        return argument in params and params[argument].kind in named
    return False


def unknown_cfg_keys(cfg: Mapping, options: Mapping[str, Any]) -> list[str]:
    """One warning line per ``--cfg-options`` key that matches nothing in ``cfg``.

    Call it *before* ``cfg.merge_from_dict(options)`` (merging adds the keys).

    Args:
        cfg: the loaded config.
        options: the parsed ``--cfg-options`` (dotted keys -> values).

    Returns:
        list[str]: warnings such as ``--cfg-options key 'max_iters' matches
        nothing in the config (it is added as a new key, which may be ignored);
        did you mean 'train_cfg.max_iters'?``, also for keys under a top-level
        config variable (not in :data:`RUNNER_KEYS`), which was already used
        while the file was read; empty when every key reaches the runner.
    """
    known = flatten_keys(cfg)
    known_set = set(known)
    # suggest only keys that reach the runner, not other config variables
    reachable = [k for k in known if k.split('.', 1)[0] in RUNNER_KEYS]
    warnings = []
    for key in options:
        top = key.split('.', 1)[0]
        if key == top and top in RUNNER_KEYS:
            continue  # e.g. work_dir, launcher: read even when absent from the file
        if key in known_set and top not in RUNNER_KEYS:
            line = (
                f'--cfg-options key {key!r} only changes the config variable '
                f'{top!r}, which nothing reads after the config file is loaded '
                '(the values built from it are already fixed)'
            )
            hint_lead, hint_end = '; set ', ' instead'
        elif (
            key in known_set or taken_by_component(cfg, key) or runner_section_key(key)
        ):
            continue
        else:
            parent = key.rsplit('.', 1)[0] if '.' in key else ''
            where = f'under {parent!r}' if parent in known_set else 'in the config'
            line = (
                f'--cfg-options key {key!r} matches nothing {where} '
                '(it is added as a new key, which may be ignored)'
            )
            hint_lead, hint_end = '; did you mean ', '?'
        hints = suggest_keys(key, reachable)
        if hints:
            line += hint_lead + ' or '.join(repr(h) for h in hints) + hint_end
        warnings.append(line)
    return warnings


def warn_unknown_cfg_keys(
    cfg: Mapping, options: Mapping[str, Any], stream: TextIO | None = None
) -> list[str]:
    """Print :func:`unknown_cfg_keys` as ``warning: ...`` lines (stderr)."""
    warnings = unknown_cfg_keys(cfg, options)
    out = stream if stream is not None else sys.stderr
    for line in warnings:
        print(f'warning: {line}', file=out)
    return warnings
