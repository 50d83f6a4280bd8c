"""Crash-safe file replacement: write a temp name, fsync, rename, fsync the folder.

A reader (or a process restarted after ``kill -9`` / a power cut) then sees either
the old file or the complete new one, never a partial file under the final name.
"""

import os
import re
from pathlib import Path

#: suffix of temp files: ``<final name>.tmp-<pid>``
_TMP_SUFFIX = re.compile(r'\.tmp-(\d+)$')


def temp_name(path: str | os.PathLike) -> Path:
    """The temp file that :func:`commit_file` renames to ``path``."""
    path = Path(path)
    return path.with_name(f'{path.name}.tmp-{os.getpid()}')


def fsync_path(path: str | os.PathLike) -> None:
    """Flush a file's (or folder's) data and metadata to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit_file(tmp: str | os.PathLike, final: str | os.PathLike) -> None:
    """Fsync ``tmp``, rename it to ``final`` atomically, fsync the folder."""
    fsync_path(tmp)
    os.replace(tmp, final)
    fsync_path(Path(final).parent)


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Replace ``path`` by a file holding ``text``, all or nothing."""
    tmp = temp_name(path)
    try:
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        commit_file(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(folder: str | os.PathLike) -> list[Path]:
    """Delete ``*.tmp-<pid>`` files in ``folder`` whose writer process is gone.

    Returns:
        The removed paths (left behind by a killed save).
    """
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = _TMP_SUFFIX.search(path.name)
        if match and path.is_file() and not _pid_alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
