"""Find the newest *complete* checkpoint of a work dir for auto-resume."""

import logging
import os
import re
from pathlib import Path

from mmengine.logging import print_log

from inpaintzoo.engine.checkpoint import check_checkpoint_integrity

#: checkpoint names written by ``CheckpointHook`` (``filename_tmpl`` default)
_STEP_NAME = re.compile(r'^(?:iter|epoch)_(\d+)\.pth$')


def _candidates(work_dir: Path) -> list[Path]:
    """``last_checkpoint``'s target first, then ``iter_N``/``epoch_N`` newest first."""
    found: list[Path] = []
    folders = [work_dir]
    marker = work_dir / 'last_checkpoint'
    if marker.is_file():
        named = Path(marker.read_text(encoding='utf-8').strip())
        if str(named):
            found.append(named)
            folders.insert(0, named.parent)
    numbered = []
    for folder in dict.fromkeys(folders):
        if folder.is_dir():
            for path in folder.iterdir():
                match = _STEP_NAME.match(path.name)
                if match:
                    numbered.append((int(match.group(1)), path))
    numbered.sort(key=lambda item: item[0], reverse=True)
    found.extend(path for _, path in numbered)
    return list(dict.fromkeys(found))


def find_latest_valid_checkpoint(work_dir: str | os.PathLike) -> str | None:
    """The checkpoint auto-resume should use, or ``None`` if there is none.

    Tries the file named in ``work_dir/last_checkpoint``, then ``iter_N.pth`` /
    ``epoch_N.pth`` from the highest ``N`` down. Missing, truncated or corrupt
    files are skipped with a warning naming them.
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
