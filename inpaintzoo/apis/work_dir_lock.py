"""An exclusive lock on a work dir, so two runs cannot mix logs and checkpoints.

``tools/train.py`` and ``tools/test.py`` take ``<work_dir>/.lock`` with
``fcntl.flock`` before they build the runner and hold it until the process exits
(the kernel releases a ``flock`` when its process ends, also after a crash or
``kill -9``, so a stale lock file is harmless). A second run into the same work
dir fails at once with a message that names the work dir and the PID of the run
holding it. Under a distributed launch only rank 0 locks. On systems without
``fcntl`` (Windows) no lock is taken.
"""

import os
import os.path as osp
from typing import IO

from inpaintzoo.utils.errors import WorkDirLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = '.lock'
#: environment variables that carry the global rank, per launcher
RANK_VARIABLES = ('RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK', 'PMI_RANK')
#: locks held by this process: released when it exits
_HELD: dict[str, IO[str]] = {}


def launcher_rank() -> int:
    """Global rank of this process from the launcher's environment (0 if none)."""
    for name in RANK_VARIABLES:
        value = os.environ.get(name)
        if value is not None and value.strip().isdigit():
            return int(value)
    return 0


def lock_work_dir(work_dir: str) -> str | None:
    """Take ``<work_dir>/.lock`` for the lifetime of this process.

    Args:
        work_dir (str): the run's work dir; created if missing.

    Returns:
        str | None: path of the lock file, or None where nothing was locked
        (rank > 0, or no ``fcntl``). Locking the same dir twice in one process
        is a no-op.

    Raises:
        WorkDirLockedError: another process holds the lock; the message names
            the work dir and that process's PID.
    """
    if fcntl is None or launcher_rank() != 0:
        return None
    path = osp.join(osp.abspath(work_dir), LOCK_NAME)
    if path in _HELD:
        return path
    os.makedirs(osp.dirname(path), exist_ok=True)
    handle = open(path, 'a+', encoding='utf-8')  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or 'unknown'
        handle.close()
        raise WorkDirLockedError(
            f'work dir {work_dir} is in use by another run (PID {pid}, lock file '
            f'{path}); wait for it to finish or pass another --work-dir'
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f'{os.getpid()}\n')
    handle.flush()
    _HELD[path] = handle
    return path


def unlock_work_dir(work_dir: str) -> None:
    """Release a lock taken by :func:`lock_work_dir` in this process (if any)."""
    path = osp.join(osp.abspath(work_dir), LOCK_NAME)
    handle = _HELD.pop(path, None)
    if handle is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
