"""Find the newest *complete* checkpoint of a work dir for auto-resume."""

import logging
import os
import re
from pathlib import Path

from mmengine.logging import print_log

from inpaintzoo.engine.checkpoint import check_checkpoint_integrity

#: checkpoint names written by ``CheckpointHook`` (``filename_tmpl`` default)
_STEP_NAME = re.compile(r'^(?:iter|epoch)_(\d+)\.pth$')


def _numbered(folder: Path) -> list[Path]:
    """``iter_N.pth`` / ``epoch_N.pth`` directly in ``folder``, highest ``N`` first."""
    if not folder.is_dir():
        return []
    numbered = []
    for path in folder.iterdir():
        match = _STEP_NAME.match(path.name)
        if match:
            numbered.append((int(match.group(1)), path))
    numbered.sort(key=lambda item: item[0], reverse=True)
    return [path for _, path in numbered]


def _warn(message: str) -> None:
    print_log(f'auto-resume: {message}', logger='current', level=logging.WARNING)


def _candidates(work_dir: Path) -> list[Path]:
    """Checkpoints of ``work_dir`` to try, best first.

    ``last_checkpoint``'s target first, then ``iter_N``/``epoch_N`` of
    ``work_dir`` newest first. A target outside ``work_dir`` (a copied work dir
    whose ``last_checkpoint`` still names its source) is replaced, with a
    warning, by the file of the same name in ``work_dir``; the other folder is
    not searched. Only when ``work_dir`` has no ``iter_N``/``epoch_N`` at all and
    the target's folder has the work dir's name (``CheckpointHook(out_dir=...)``
    saves into ``<out_dir>/<work dir name>``) are that folder's files tried.
    """
    own = _numbered(work_dir)
    marker = work_dir / 'last_checkpoint'
    named = marker.read_text(encoding='utf-8').strip() if marker.is_file() else ''
    if not named:
        return own
    target = Path(named)
    if target.resolve().is_relative_to(work_dir.resolve()):
        return list(dict.fromkeys([target, *own]))
    local = work_dir / target.name
    if not own and target.parent.name == work_dir.resolve().name:
        _warn(f'{marker} names {target}, outside the work dir (out_dir layout)')
        return list(dict.fromkeys([target, *_numbered(target.parent)]))
    used = f'using {local} instead' if local.is_file() else 'ignoring it'
    _warn(
        f'{marker} names {target}, outside the work dir {work_dir} (a copied '
        f'work dir?); {used}: only checkpoints of the work dir are resumed'
    )
    return list(dict.fromkeys([local, *own])) if local.is_file() else own


def find_latest_valid_checkpoint(work_dir: str | os.PathLike) -> str | None:
    """The checkpoint auto-resume should use, or ``None`` if there is none.

    Tries the file named in ``work_dir/last_checkpoint``, then ``iter_N.pth`` /
    ``epoch_N.pth`` from the highest ``N`` down, all inside ``work_dir`` (see
    :func:`_candidates` for a ``last_checkpoint`` naming another folder).
    Missing, truncated or corrupt files are skipped with a warning naming them.
    """
    for path in _candidates(Path(work_dir)):
        try:
            check_checkpoint_integrity(path)
        except (OSError, RuntimeError) as err:
            print_log(
                f'auto-resume: skipping {path}: {err}',
                logger='current',
                level=logging.WARNING,
            )
            continue
        return str(path)
    return None
