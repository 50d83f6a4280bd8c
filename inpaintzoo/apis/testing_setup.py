"""Checks and defaults of ``tools/test.py``, made before the runner is built.

A test of a long run takes hours; a mistake in where its results go should stop
it at once, not after the metrics are computed.
"""

import os
import os.path as osp
from pathlib import Path

from inpaintzoo.engine.checkpoint import check_local_checkpoint


def check_test_checkpoint(checkpoint: str) -> None:
    """Refuse a local checkpoint that is missing or a folder (URLs pass).

    Raises:
        FileNotFoundError: the file does not exist.
        IsADirectoryError: a folder (e.g. a work dir): names it and asks for a
            ``.pth`` file inside it, as ``tools/train.py --resume`` does.
    """
    if '://' not in checkpoint:
        check_local_checkpoint(checkpoint)


def checkpoint_test_dir(work_dir: str, checkpoint: str) -> str:
    """Default work dir of a test run: ``<work_dir>/test_<checkpoint stem>``.

    The training run of the same config holds ``<work_dir>`` (and its lock), so
    a test of an intermediate checkpoint gets a folder of its own inside it;
    tests of different checkpoints may run side by side.

    Args:
        work_dir (str): the config's work dir (``work_dirs/<config stem>``).
        checkpoint (str): the checkpoint path or URL.

    Returns:
        str: e.g. ``work_dirs/hint/test_iter_20000``.
    """
    stem = osp.splitext(osp.basename(checkpoint.rstrip('/').split('?', 1)[0]))[0]
    return osp.join(work_dir, f'test_{stem or "checkpoint"}')


def prepare_out_file(out: str) -> Path:
    """Create the folder of ``--out FILE`` now; refuse a folder or no write access.

    Raises:
        IsADirectoryError: ``out`` is an existing folder.
        NotADirectoryError: a path above it is a file.
        PermissionError: its folder cannot be written in.
    """
    path = Path(out)
    if path.is_dir():
        raise IsADirectoryError(
            f'--out {out} is a folder; pass a file name, e.g. {path / "metrics.json"}'
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotADirectoryError(
            f'--out {out}: a path above it is a file, not a folder'
        ) from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise PermissionError(f'--out {out}: cannot write in {path.parent}')
    return path
