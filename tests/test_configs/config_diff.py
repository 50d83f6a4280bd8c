"""What an ablation config changes relative to the paper config it inherits.

An ablation is a leaf config whose ``_base_`` is one sibling file (its paper
config). The keys it *may* change are the ones its own file writes (read from the
file, not restated in a test), plus anything under a dict it marks ``_delete_``.

The thesis's ablation rows inherit an *ablation root*: a config with the bases of
its paper config except that the shared ablation schedule
(``configs/_base_/schedules/ablation_30k.py``) replaces the paper schedule
(MMEngine refuses the duplicate keys of listing both). A root may change what it
writes itself (e.g. a halved model, a smaller image size) and the schedule.
"""

import ast
from pathlib import Path
from typing import Any

from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
MISSING = object()
ABLATION_SCHEDULE = '../_base_/schedules/ablation_30k.py'
PAPER_SCHEDULE = '../_base_/schedules/gan_adam_300k.py'


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


def bases(path: Path) -> Any:
    """The literal ``_base_`` of a config file (str, list), or None."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets
        ):
            return ast.literal_eval(node.value)
    return None


def paper_config(path: Path) -> Path | None:
    """The single sibling ``_base_`` of ``path``, or None (not an ablation)."""
    base = bases(path)
    if isinstance(base, str) and base.startswith('./'):
        return path.parent / base[2:]
    return None


def ablation_roots() -> list[tuple[Path, Path | None]]:
    """Every ``(ablation root, paper config)`` pair under ``configs/``.

    A root lists :data:`ABLATION_SCHEDULE` among its bases; its paper config is
    the sibling whose bases are the same with :data:`PAPER_SCHEDULE` in its place
    (None when there is no such sibling).
    """
    pairs = []
    for path in sorted(REPO.glob('configs/*/*.py')):
        mine = bases(path)
        if path.parent.name == '_base_' or not isinstance(mine, list):
            continue
        if ABLATION_SCHEDULE not in mine:
            continue
        want = [PAPER_SCHEDULE if b == ABLATION_SCHEDULE else b for b in mine]
        paper = [p for p in sorted(path.parent.glob('*.py')) if bases(p) == want]
        pairs.append((path, paper[0] if paper else None))
    return pairs


def root_allowed_changes(path: Path) -> set[str]:
    """Keys an ablation root may change: its own and the ablation schedule's."""
    schedule = (path.parent / ABLATION_SCHEDULE).resolve()
    return set(flat(own_assignments(path))) | set(flat(own_assignments(schedule)))


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
