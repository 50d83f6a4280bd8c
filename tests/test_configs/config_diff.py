"""What an ablation config changes relative to the paper config it inherits.

An ablation is a leaf config whose ``_base_`` is one sibling file (its paper
config). The keys it *may* change are the ones its own file writes (read from the
file, not restated in a test), plus anything under a dict it marks ``_delete_``.
"""

import ast
from pathlib import Path
from typing import Any

from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
MISSING = object()


def flat(tree: Any, prefix: str = '') -> dict[str, Any]:
    """Leaves of nested dicts as ``{'a.b.c': value}`` (lists are leaves)."""
    if not isinstance(tree, dict):
        return {prefix[:-1]: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out.update(flat(value, f'{prefix}{key}.'))
    return out


def own_assignments(path: Path) -> dict[str, Any]:
    """The top-level names a config file assigns itself, evaluated (no ``_base_``)."""
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), 'exec'), {'dict': dict}, namespace)
    namespace.pop('_base_', None)
    return namespace


def paper_config(path: Path) -> Path | None:
    """The single sibling ``_base_`` of ``path``, or None (not an ablation)."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets
        ):
            base = ast.literal_eval(node.value)
            if isinstance(base, str) and base.startswith('./'):
                return path.parent / base[2:]
    return None


def ablation_configs() -> list[tuple[Path, Path]]:
    """Every ``(ablation, paper config)`` pair under ``configs/``."""
    pairs = []
    for path in sorted(REPO.glob('configs/*/*.py')):
        if path.parent.name != '_base_' and (base := paper_config(path)):
            pairs.append((path, base))
    return pairs


def allowed_changes(path: Path) -> tuple[set[str], set[str]]:
    """Keys the file writes and the prefixes it ``_delete_``s.

    Returns:
        tuple[set[str], set[str]]: dotted leaf keys (``model.generator.down.type``)
        and dotted prefixes (``model.generator.down.``) whose base keys may vanish.
    """
    leaves = flat(own_assignments(path))
    keys = {k for k in leaves if not k.endswith('_delete_')}
    deleted = {
        k[: -len('_delete_')]
        for k, v in leaves.items()
        if k.endswith('._delete_') and v
    }
    return keys, deleted


def merged(path: Path) -> dict[str, Any]:
    """The fully merged config of ``path``, flattened."""
    return flat(Config.fromfile(str(path)).to_dict())


def changed_keys(paper: Path, ablation: Path) -> set[str]:
    """Dotted leaf keys whose merged values differ (or exist in only one)."""
    a, b = merged(paper), merged(ablation)
    return {k for k in a.keys() | b.keys() if a.get(k, MISSING) != b.get(k, MISSING)}


def block_ablations() -> list[tuple[Path, Path]]:
    """Ablations that only change ``model.generator`` (the thesis ablation tables)."""
    return [
        (a, p)
        for a, p in ablation_configs()
        if (keys := allowed_changes(a)[0])
        and all(k.startswith('model.generator.') for k in keys)
    ]
