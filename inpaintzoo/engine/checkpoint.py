"""Safe checkpoint loading schemes, registered once at package import.

MMEngine 0.10.7 + torch 2.14 need two fixes (conventions.md §5.4, §10 rows 1 and 3):

* local files: torch's default ``weights_only=True`` cannot read the Runner's own
  training checkpoints (they pickle ``HistoryBuffer`` and numpy objects). We load
  with ``weights_only=True`` first and fall back to a full unpickle **only** for
  trusted training state: a file under a directory registered with
  :func:`trust_directory` (``tools/train.py`` registers its work dir), a file next
  to an MMEngine ``last_checkpoint`` marker, or when ``INPAINTZOO_TRUST_CHECKPOINTS=1``.
* http(s): MMEngine never checks the ``-<sha256 prefix>`` in the file name and
  unpickles arbitrary objects; ours checks the hash and refuses pickles.

Unreadable or corrupt files raise :class:`CheckpointMismatchError` naming the file.
"""

import os
import os.path as osp
import pickle
from pathlib import Path
from typing import Any

import torch
from mmengine.dist import get_dist_info
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader
from torch.hub import load_state_dict_from_url

from inpaintzoo.utils.errors import CheckpointMismatchError

TRUST_ENV = 'INPAINTZOO_TRUST_CHECKPOINTS'
_TRUSTED_DIRS: set[Path] = set()


def trust_directory(path: str | os.PathLike) -> None:
    """Allow full (pickle) loading of checkpoints below ``path`` (our own work dir)."""
    _TRUSTED_DIRS.add(Path(path).expanduser().resolve())


def is_trusted_training_state(filename: str | os.PathLike) -> bool:
    """Whether ``filename`` may be unpickled beyond tensors (see module docstring)."""
    if os.environ.get(TRUST_ENV, '') == '1':
        return True
    path = Path(filename).expanduser().resolve()
    if (path.parent / 'last_checkpoint').is_file():
        return True
    return any(d == path or d in path.parents for d in _TRUSTED_DIRS)


def _is_weights_only_refusal(err: Exception) -> bool:
    return isinstance(err, pickle.UnpicklingError) and 'Weights only load' in str(err)


def load_local_checkpoint(filename: str, map_location: Any = None) -> dict:
    """Load a local checkpoint safely; see the module docstring for the rules."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except Exception as err:
        if not _is_weights_only_refusal(err):
            raise CheckpointMismatchError(
                f'cannot read checkpoint {filename}: the file is corrupt or not a '
                f'PyTorch checkpoint ({type(err).__name__}: {err})'
            ) from err
        if not is_trusted_training_state(filename):
            raise CheckpointMismatchError(
                f'checkpoint {filename} holds pickled Python objects besides tensors '
                'and is not in a trusted work dir; refusing to unpickle it. If it is '
                f'your own training state, set {TRUST_ENV}=1.'
            ) from err
    print_log(
        f'{filename}: full-pickle load of trusted training state', logger='current'
    )
    return torch.load(filename, map_location=map_location, weights_only=False)


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename: str, map_location: Any = None) -> dict:
    """MMEngine scheme for local paths (overrides the stock loader)."""
    return load_local_checkpoint(filename, map_location)


@CheckpointLoader.register_scheme(prefixes=('http://', 'https://'), force=True)
def load_from_http(
    filename: str, map_location: Any = None, model_dir: str | None = None
) -> dict:
    """MMEngine scheme for URLs: sha256-prefix checked, tensors only.

    The URL's file name must end in ``-<first 8+ hex digits of sha256>.pth``; a
    mismatch raises ``RuntimeError: invalid hash value`` and nothing is cached.
    Under DDP rank 0 downloads first, the others read the cache after a barrier.
    """
    rank, world_size = get_dist_info()

    def fetch() -> dict:
        return load_state_dict_from_url(
            filename,
            model_dir=model_dir,
            map_location=map_location,
            progress=False,
            check_hash=True,
            weights_only=True,
        )

    checkpoint = fetch() if rank == 0 else None
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = fetch()
    return checkpoint
