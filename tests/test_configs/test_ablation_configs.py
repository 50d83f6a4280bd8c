"""Every ablation differs from its paper config only in what its own file writes.

Nothing is restated here: the allowed changes are read from each ablation file
(``tests/test_configs/config_diff.py``), and the swapped types are checked on the
built generator.
"""

import inspect
from functools import cache
from pathlib import Path

import pytest
from torch import nn

from inpaintzoo.registry import MODELS
from tests.test_configs.config_diff import (
    REPO,
    ablation_configs,
    ablation_roots,
    allowed_changes,
    block_ablations,
    changed_keys,
    flat,
    merged,
    own_assignments,
    root_allowed_changes,
)

PAIRS = ablation_configs()
IDS = [f'{a.parent.name}/{a.stem}' for a, _ in PAIRS]
GEN = 'model.generator.'
TINY = dict(dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])
STAGES = ('encoder1', 'encoder2', 'encoder3', 'latent', 'decoder3', 'decoder2')
STAGES += ('decoder1',)


def test_every_model_has_ablations():
    assert {a.parent.name for a, _ in PAIRS} >= {'hint', 'mxt', 'sem_net'}


ROOTS = ablation_roots()


def test_every_model_has_an_ablation_root():
    assert {r.parent.name for r, _ in ROOTS} >= {'hint', 'mxt', 'sem_net'}


@pytest.mark.parametrize(('root', 'paper'), ROOTS, ids=[r.stem for r, _ in ROOTS])
def test_ablation_root_changes_only_the_schedule_and_what_it_writes(
    root: Path, paper: Path | None
):
    assert paper is not None, f'{root.name}: no sibling paper config with its bases'
    changed = changed_keys(paper, root)
    assert changed - root_allowed_changes(root) == set()
    assert merged(root)['train_cfg.max_iters'] == 30_000  # thesis §4.3.4, §5.4.5
    assert 'train_cfg.max_iters' in changed


def _derives_from_root(path: Path) -> bool:
    roots = {r for r, _ in ROOTS}
    while path not in roots:
        parents = [p for a, p in PAIRS if a == path]
        if not parents:
            return False
        path = parents[0]
    return True


@pytest.mark.parametrize(('ablation', 'paper'), PAIRS, ids=IDS)
def test_thesis_rows_use_the_ablation_schedule(ablation: Path, paper: Path):
    """A ``-30k`` ablation inherits an ablation root (directly or via another row)."""
    if '-30k_' not in ablation.name:
        pytest.skip('not a 30k thesis ablation row')
    assert _derives_from_root(ablation), ablation.name


def _silent_drop(key: str, prefix: str, paper: dict, ablation: dict) -> bool:
    """Whether ``_delete_`` at ``prefix`` dropped ``key`` and so changed a setting.

    Dropping a keyword the new block type does not take is what ``_delete_`` is
    for; dropping one it does take is harmless only if the dropped value equals
    the new type's default (e.g. SCAL's ``bias=False`` -> ChannelAttention's
    default ``bias=False``). Non-block dicts (schedules) are replaced wholesale.
    """
    name, type_ = key[len(prefix) :], ablation.get(prefix + 'type')
    if not name or '.' in name or not isinstance(type_, str) or key in ablation:
        return False
    cls = MODELS.get(type_)
    if cls is None:
        return False
    params = inspect.signature(cls).parameters
    if name not in params:
        return False
    return params[name].default != paper[key]


@pytest.mark.parametrize(('ablation', 'paper'), PAIRS, ids=IDS)
def test_ablation_changes_only_what_it_writes(ablation: Path, paper: Path):
    keys, deleted = allowed_changes(ablation)
    changed = changed_keys(paper, ablation)
    base, mine = merged(paper), merged(ablation)
    stray = set()
    # writing None over a dict (``landmark_loss=None``) replaces the whole dict
    deleted = deleted | {
        f'{k}.' for k in keys if flat(own_assignments(ablation))[k] is None
    }
    for k in changed - keys:
        prefixes = [d for d in deleted if f'{k}.'.startswith(d)]
        if not prefixes or any(_silent_drop(k, d, base, mine) for d in prefixes):
            stray.add(k)
    assert stray == set(), f'{ablation.name} changes settings it does not write'
    written = flat(own_assignments(ablation))
    merged_written = {k: v for k, v in written.items() if not k.endswith('_delete_')}
    assert changed or not merged_written, f'{ablation.name} changes nothing it writes'


@cache
def _tiny_generator(path: Path) -> nn.Module:
    from mmengine.config import Config

    gen = Config.fromfile(str(path)).model.generator.to_dict()
    if gen['type'] == 'NCLGGenerator':  # fixed widths: built at paper size
        return MODELS.build(gen)
    return MODELS.build(dict(gen, **TINY))


def _modules_at(net: nn.Module, slot: str) -> dict[str, nn.Module]:
    """``{state-dict prefix: module}`` of every module a generator slot built."""
    head, *rest = slot.split('.')
    if head in ('embed', 'output'):
        found = {head: getattr(net, head)}
    elif head in ('down', 'up'):
        found = {f'{head}{i}': getattr(net, f'{head}{i}') for i in (1, 2, 3)}
    elif head == 'block':
        found = {f'{s}.{i}': b for s in STAGES for i, b in enumerate(getattr(net, s))}
    else:
        return {}
    for name in rest:  # a SandwichBlock's ffn slot builds ffn1 and ffn2
        found = {
            f'{p}.{n}': getattr(m, n)
            for p, m in found.items()
            for n in (name, f'{name}1', f'{name}2')
            if isinstance(getattr(m, n, None), nn.Module)
        }
    return found


@pytest.mark.parametrize(('ablation', 'paper'), block_ablations(), ids=lambda p: p.stem)
def test_block_ablation_builds_what_it_writes(ablation: Path, paper: Path):
    keys, _ = allowed_changes(ablation)
    written = flat(own_assignments(ablation))
    net, ref = _tiny_generator(ablation), _tiny_generator(paper)
    slots = set()
    for key in keys:
        slot = key[len(GEN) :].rsplit('.', 1)[0]
        slots.add(slot)
        if key.endswith('.type'):
            modules = _modules_at(net, slot)
            assert modules, f'{key}: no module built for slot {slot!r}'
            types = {type(m).__name__ for m in modules.values()}
            assert types == {written[key]}, key
    # everything outside the swapped slots (for a nested slot: outside the module
    # owning it, e.g. a scanner sets how many Mambas its mixer holds) is built
    # exactly as in the paper model
    owners = {s if '.' not in s else s.rsplit('.', 1)[0] for s in slots}
    touched = tuple(p + '.' for s in owners for p in _modules_at(ref, s))
    touched += tuple(p + '.' for s in owners for p in _modules_at(net, s))
    if not touched:
        pytest.skip('swaps a generator-wide key')

    def untouched(model: nn.Module) -> dict:
        sd = model.state_dict()
        return {k: v.shape for k, v in sd.items() if not k.startswith(touched)}

    assert untouched(net) == untouched(ref)
    assert untouched(net), 'the swap cannot cover the whole generator'


def test_block_ablations_are_documented():
    doc = (REPO / 'docs' / 'ablations.md').read_text()
    missing = [a.name for a, _ in block_ablations() if a.name not in doc]
    assert missing == [], 'add them to docs/ablations.md'
