"""Shared checks of the chapter-5 ablation configs (MxT, SEM-Net; thesis §5.4.5).

Every ablation row derives (through ``./`` bases) from one per-model ablation root:
the paper config's bases with ``ablation_30k.py`` in place of the paper schedule,
and a halved generator. What the root and each row change is read from the files
(``config_diff.py``), not restated.
"""

import re
from pathlib import Path

from mmengine.config import Config

from tests.test_configs.config_diff import (
    REPO,
    changed_keys,
    flat,
    own_assignments,
    paper_config,
)

SCHEDULE = REPO / 'configs' / '_base_' / 'schedules' / 'ablation_30k.py'


def ablation_root(model_dir: str) -> Path:
    """The one config of ``configs/<model_dir>`` that lists ``ablation_30k.py``."""
    roots = [
        p
        for p in sorted((REPO / 'configs' / model_dir).glob('*.py'))
        if 'schedules/ablation_30k.py' in p.read_text()
    ]
    assert len(roots) == 1, roots
    return roots[0]


def chain(path: Path) -> list[Path]:
    """``path`` and its ``./`` bases up to the first config without one."""
    out = [path]
    while (base := paper_config(out[-1])) is not None:
        out.append(base)
    return out


def ablation_rows(model_dir: str) -> list[Path]:
    """Configs whose ``./`` base chain ends at the ablation root."""
    root = ablation_root(model_dir)
    return [
        p
        for p in sorted((REPO / 'configs' / model_dir).glob('*.py'))
        if p != root and chain(p)[-1] == root
    ]


def root_changes(root: Path, paper: Path) -> tuple[set[str], set[str]]:
    """(keys that differ between paper config and root, keys the root may change).

    The root may change what its own file writes and what the shared ablation
    schedule file writes (its loop length and validation interval).
    """
    allowed = set(flat(own_assignments(root))) | set(flat(own_assignments(SCHEDULE)))
    return changed_keys(paper, root), allowed


def experiment(path: Path) -> dict:
    """What a training run depends on: model, data, optimiser and loop."""
    cfg = Config.fromfile(str(path)).to_dict()
    keys = ('model', 'train_dataloader', 'val_dataloader', 'optim_wrapper', 'train_cfg')
    return {k: cfg[k] for k in keys}


def documented_param_counts(model_dir: str) -> dict[str, set[int]]:
    """``{config name: G params}`` from the table rows of ``docs/ablations.md``.

    A table row counts when it names a config of ``configs/<model_dir>`` in
    backticks and its last cell is a number such as ``20,705,064``.
    """
    names = {p.name for p in (REPO / 'configs' / model_dir).glob('*.py')}
    found: dict[str, set[int]] = {}
    for line in (REPO / 'docs' / 'ablations.md').read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if not line.startswith('|') or not re.fullmatch(r'\d[\d,]*', cells[-1]):
            continue
        for name in re.findall(r'`([^`]+\.py)`', line):
            if name in names:
                found.setdefault(name, set()).add(int(cells[-1].replace(',', '')))
                break
    return found


def check_root_halves_the_paper_model(root: Path, paper: Path) -> None:
    """The root changes only what it and the ablation schedule write: the halved
    generator and the 30k loop."""
    changed, allowed = root_changes(root, paper)
    assert changed <= allowed
    assert 'model.generator.num_blocks' in changed
    assert {'train_cfg.max_iters', 'train_cfg.val_interval'} <= changed
    paper_cfg, root_cfg = Config.fromfile(str(paper)), Config.fromfile(str(root))
    blocks = paper_cfg.model.generator.num_blocks
    assert root_cfg.model.generator.num_blocks == [n // 2 for n in blocks]
    assert root_cfg.train_cfg.max_iters == 30_000


def check_rows_derive_from_the_root(
    root: Path, rows: list[Path], configs: list[str], paper_names: set[str]
) -> None:
    """Every config but the paper ones is the root or a row; rows keep the root's
    loop and model size. ``configs`` are paths relative to the repository."""
    names = {p.name for p in rows}
    others = {Path(c).name for c in configs} - names - {root.name}
    assert others == paper_names
    root_cfg = Config.fromfile(str(root))
    for row in rows:
        cfg = Config.fromfile(str(row))
        assert cfg.train_cfg == root_cfg.train_cfg, row.name
        assert cfg.model.generator.num_blocks == root_cfg.model.generator.num_blocks


def check_no_two_configs_are_the_same_experiment(configs: list[str]) -> None:
    """No two of ``configs`` (relative to the repository) train the same run."""
    runs = {c: experiment(REPO / c) for c in configs}
    same = [(a, b) for a in runs for b in runs if a < b and runs[a] == runs[b]]
    assert same == []


def check_rows_are_documented(model_dir: str, root: Path, rows: list[Path]) -> None:
    """The root and every row are named in docs/ablations.md and the model README."""
    doc = (REPO / 'docs' / 'ablations.md').read_text()
    readme = (REPO / 'configs' / model_dir / 'README.md').read_text()
    for row in [root, *rows]:
        assert row.name in doc, row.name
        assert row.name in readme, row.name


def check_documented_parameter_counts(
    model_dir: str, root: Path, rows: list[Path]
) -> None:
    """docs/ablations.md's "G params" column equals the built generators (full size,
    one row per config of the root and its rows). Needs the default scope."""
    from inpaintzoo.registry import MODELS

    counts = documented_param_counts(model_dir)
    assert set(counts) == {p.name for p in [root, *rows]}
    for name, documented in counts.items():
        cfg = Config.fromfile(str(REPO / 'configs' / model_dir / name))
        gen = MODELS.build(cfg.model.generator)
        assert documented == {sum(p.numel() for p in gen.parameters())}, name
