"""Checkpoint loading: tensors and an explicit allow-list only, hashes always checked.

Rules (``docs/get_started.md``, "Checkpoints and trust"):

* **Local files** load with ``torch.load(weights_only=True)`` plus the allow-list of
  :mod:`inpaintzoo.engine.safe_globals` (the types an MMEngine runner checkpoint
  holds). No folder, marker file or work dir makes a file trusted. A file that
  needs anything else is refused with :class:`UnsafeCheckpointError`, unless full
  unpickling was switched on explicitly (``tools/train.py --unsafe-load-pickle`` or
  ``INPAINTZOO_UNSAFE_PICKLE=1``), which runs any code stored in the file.
* **http(s) URLs** must name the sha256 of the file: the last ``-``-separated part
  of the file name (``hint-1.0-0a1b2c3d.pth``) is a prefix of 8 to 64 hex digits,
  or the caller passes ``sha256=``. Downloads and files already in the cache are
  both checked; a URL without a hash is refused. Downloaded files never get full
  unpickling.
* Files that are not PyTorch checkpoints, are truncated or are broken symbolic
  links get messages that say so (:class:`CorruptCheckpointError`,
  ``FileNotFoundError``). Zip checkpoints are checked against their CRCs before
  they are unpickled, so damaged tensor data never loads as wrong weights.
* ``file://`` URLs name local paths; other URL schemes (``s3://``,
  ``torchvision://``, ...) are refused (:class:`UnsupportedCheckpointURLError`).

Importing this module changes nothing in MMEngine or torch. MMEngine's
``CheckpointLoader`` uses these loaders only inside
:func:`inpaintzoo_checkpoint_schemes`, which
:class:`~inpaintzoo.engine.runner.InpaintRunner` enters while it loads or resumes.
"""

import hashlib
import logging
import os
import pickle
import re
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import torch
from mmengine.dist import get_dist_info
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader
from torch.hub import download_url_to_file

from inpaintzoo.engine.safe_globals import runner_checkpoint_globals
from inpaintzoo.utils.errors import (
    CorruptCheckpointError,
    UnsafeCheckpointError,
    UnsupportedCheckpointURLError,
)

#: environment variable that switches full unpickling of local files on ("1")
UNSAFE_PICKLE_ENV = 'INPAINTZOO_UNSAFE_PICKLE'
#: the ``tools/train.py`` flag that sets :data:`UNSAFE_PICKLE_ENV`
UNSAFE_PICKLE_FLAG = '--unsafe-load-pickle'
#: help text of the flag; says what it risks
UNSAFE_PICKLE_HELP = (
    'load checkpoints with full Python unpickling when the safe loader refuses '
    'them. DANGER: a checkpoint can then run arbitrary code on this machine; use '
    'it only for files you wrote yourself (same as INPAINTZOO_UNSAFE_PICKLE=1)'
)
_OLD_TRUST_ENV = 'INPAINTZOO_TRUST_CHECKPOINTS'
_ZIP_MAGIC = b'PK\x03\x04'
_HASH_PART = re.compile(r'[0-9a-fA-F]{8,64}')
#: ``scheme://`` at the start of a name; also ``open-mmlab:s3://`` (MMEngine's)
_URL_SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.:-]*://')
_DISALLOWED_GLOBAL = re.compile(r'GLOBAL ([\w.]+)|unrecognized function ([^\s]+)')
#: torch's zip reader failing on the archive's layout (e.g. a missing member)
_ZIP_READER_ERROR = re.compile(r'PytorchStreamReader|inline_container')


def unsafe_pickle_enabled() -> bool:
    """Whether full unpickling was switched on (``INPAINTZOO_UNSAFE_PICKLE=1``)."""
    return os.environ.get(UNSAFE_PICKLE_ENV, '') == '1'


def enable_unsafe_pickle() -> None:
    """Switch full unpickling of refused local checkpoints on for this process.

    Sets ``INPAINTZOO_UNSAFE_PICKLE=1`` (inherited by distributed workers) and
    logs a warning. Downloads are never fully unpickled.
    """
    os.environ[UNSAFE_PICKLE_ENV] = '1'
    print_log(
        f'{UNSAFE_PICKLE_FLAG}: checkpoints the safe loader refuses will be fully '
        'unpickled; such a file can run arbitrary code',
        logger='current',
        level=logging.WARNING,
    )


def check_local_checkpoint(filename: str | os.PathLike) -> Path:
    """``filename`` as a path to an existing regular file, or a clear error.

    Raises:
        FileNotFoundError: missing, or a broken symbolic link.
        IsADirectoryError: a folder (a work dir) instead of a ``.pth`` file.
    """
    path = Path(filename).expanduser()
    if path.is_symlink() and not path.exists():
        raise FileNotFoundError(
            f'checkpoint {path} is a broken symbolic link to {os.readlink(path)}; '
            'point it at an existing file or pass the real path'
        )
    if not path.exists():
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    if path.is_dir():
        raise IsADirectoryError(
            f'checkpoint {path} is a directory; pass a .pth file inside it'
        )
    return path


def _describe_start(head: bytes) -> str:
    """A short description of a file's first bytes for error messages."""
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError:
        return f'it starts with the bytes {head[:16]!r}'
    first = text.splitlines()[0][:60] if text.strip() else ''
    return f'it looks like a text file starting with {first!r}'


def _check_format(path: Path) -> None:
    """Refuse files that are neither a zip (torch >= 1.6) nor a legacy torch pickle."""
    with open(path, 'rb') as f:
        head = f.read(64)
    if not head:
        raise CorruptCheckpointError(
            f'checkpoint {path} is empty (0 bytes): probably an interrupted save; '
            'use an older checkpoint'
        )
    if head.startswith(_ZIP_MAGIC) or head[0] == 0x80:
        return
    raise CorruptCheckpointError(
        f'{path} is not a PyTorch checkpoint: {_describe_start(head)}; pass the '
        '.pth file written by training or downloaded from the model zoo'
    )


def check_checkpoint_integrity(filename: str | os.PathLike) -> None:
    """Raise unless ``filename`` is a complete checkpoint file (nothing unpickled).

    Zip checkpoints (torch >= 1.6) are checked member by member against their
    CRCs, which finds truncated and partially written files.

    Raises:
        FileNotFoundError: missing file or broken symbolic link.
        CorruptCheckpointError: not a checkpoint, empty, truncated or corrupt.
    """
    path = check_local_checkpoint(filename)
    _check_format(path)
    problem = _zip_problem(path)
    if problem:
        raise CorruptCheckpointError(
            f'checkpoint {path} is corrupt or truncated ({problem}); use another '
            'checkpoint, or download or copy it again'
        )


def _is_zip(path: Path) -> bool:
    with open(path, 'rb') as f:
        return f.read(4) == _ZIP_MAGIC


def _zip_problem(path: Path) -> str | None:
    """What is wrong with a zip checkpoint's structure or CRCs; ``None`` if intact.

    Reads every member once and compares it with its CRC-32, so flipped bytes
    anywhere in the tensor data are found, not only truncation. A zip without a
    ``data.pkl`` member is no PyTorch checkpoint. Legacy (non-zip) files cannot
    be checked without unpickling; they get ``None``.
    """
    if not _is_zip(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            if not any(PurePosixPath(n).name == 'data.pkl' for n in archive.namelist()):
                return 'a zip archive without data.pkl: not a PyTorch checkpoint'
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        return str(err) or type(err).__name__
    return f'member {bad} fails its CRC check' if bad is not None else None


def _refused_global(err: Exception) -> str:
    """The global named in torch's weights-only refusal, quoted, or ``'?'``."""
    match = _DISALLOWED_GLOBAL.search(str(err))
    name = next((g for g in match.groups() if g), '?') if match else '?'
    return f'`{name}`'


def load_local_checkpoint(
    filename: str | os.PathLike,
    map_location: Any = None,
    *,
    allow_unsafe_pickle: bool | None = None,
) -> dict:
    """Load a local checkpoint with ``weights_only=True`` and the allow-list.

    Args:
        filename: path of a ``.pth`` file.
        map_location: as for :func:`torch.load`.
        allow_unsafe_pickle: fall back to full unpickling when the safe load is
            refused. ``None`` follows :func:`unsafe_pickle_enabled`.

    A zip checkpoint (torch >= 1.6) is checked member by member against its
    CRCs before anything is unpickled (:func:`check_checkpoint_integrity`), so
    damaged tensor data is refused instead of loading as wrong weights.

    Returns:
        The checkpoint (a dict, usually with ``state_dict`` of tensors).

    Raises:
        FileNotFoundError: missing file or broken symbolic link.
        CorruptCheckpointError: not a checkpoint, empty, truncated or corrupt
            (a member failing its CRC is named).
        UnsafeCheckpointError: the file holds objects outside the allow-list.
    """
    check_checkpoint_integrity(filename)
    path = Path(filename).expanduser()
    try:
        with runner_checkpoint_globals():
            return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if 'Weights only load failed' not in str(err):
            raise CorruptCheckpointError(
                f'checkpoint {path} is corrupt or truncated: {err}'
            ) from err
        switchable = allow_unsafe_pickle is None  # False: never, say nothing of it
        if allow_unsafe_pickle is None:
            allow_unsafe_pickle = unsafe_pickle_enabled()
        if not allow_unsafe_pickle:
            old = (
                f' ({_OLD_TRUST_ENV} is no longer read)'
                if os.environ.get(_OLD_TRUST_ENV)
                else ''
            )
            hint = (
                f' If you wrote this file yourself, pass {UNSAFE_PICKLE_FLAG} to '
                f'tools/train.py or set {UNSAFE_PICKLE_ENV}=1{old}'
                if switchable
                else ''
            )
            raise UnsafeCheckpointError(
                f'refusing to load checkpoint {path}: it refers to the Python object '
                f'{_refused_global(err)}, which is neither a tensor type nor on the '
                'allow-list of runner checkpoint types; unpickling it could run '
                f'arbitrary code.{hint}'
            ) from err
    except (RuntimeError, EOFError, OSError, ValueError, KeyError) as err:
        if _is_zip(path) and not _ZIP_READER_ERROR.search(str(err)):
            raise  # CRCs checked above: e.g. a bad map_location, not corruption
        raise CorruptCheckpointError(
            f'checkpoint {path} is corrupt or truncated ({type(err).__name__}: '
            f'{str(err).splitlines()[0] if str(err) else ""}); use another checkpoint'
        ) from err
    print_log(
        f'{path}: full unpickling ({UNSAFE_PICKLE_ENV}=1); this can run code '
        'stored in the file',
        logger='current',
        level=logging.WARNING,
    )
    return torch.load(path, map_location=map_location, weights_only=False)


def sha256_from_url(url: str) -> str | None:
    """The sha256 prefix a URL's file name carries, lower-cased, or ``None``.

    The hash is the last ``-``-separated part of the file name, up to its
    extension, and must be 8 to 64 hex digits: ``hint-1.0-0a1b2c3d.pth`` ->
    ``0a1b2c3d``; ``model.pth``, ``model-.pth`` and ``hint-1.0.pth`` have none.
    """
    name = PurePosixPath(urlparse(url).path).name
    if '-' not in name:
        return None
    part = name.rsplit('-', 1)[1].split('.', 1)[0]
    return part.lower() if _HASH_PART.fullmatch(part) else None


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _fetch_verified(url: str, target: Path, expected: str) -> None:
    """Make ``target`` a copy of ``url`` whose sha256 starts with ``expected``."""
    if target.is_file():
        actual = file_sha256(target)
        if not actual.startswith(expected):
            raise CorruptCheckpointError(
                f'invalid hash value: the cached file {target} for {url} has sha256 '
                f'{actual[:16]}..., expected {expected}...; delete the cached file '
                'to download it again'
            )
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f'{target.name}.partial-{os.getpid()}')
    try:
        download_url_to_file(url, str(partial), hash_prefix=None, progress=False)
        actual = file_sha256(partial)
        if not actual.startswith(expected):
            raise CorruptCheckpointError(
                f'invalid hash value: {url} downloaded with sha256 {actual[:16]}..., '
                f'expected {expected}...; the file was not kept. Check the URL or '
                'the expected hash'
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def load_http_checkpoint(
    url: str,
    map_location: Any = None,
    model_dir: str | os.PathLike | None = None,
    *,
    sha256: str | None = None,
) -> dict:
    """Download (or reuse the cached copy of) ``url`` after checking its sha256.

    Args:
        url: ``http(s)://.../<name>-<sha256 prefix>.<ext>``.
        map_location: as for :func:`torch.load`.
        model_dir: cache folder; default ``$TORCH_HOME/hub/checkpoints``.
        sha256: expected sha256 (or a prefix of 8+ hex digits); overrides the
            one in the file name and allows URLs without one.

    Returns:
        The checkpoint, loaded with ``weights_only=True`` and the allow-list.

    Raises:
        UnsafeCheckpointError: no hash in the name and none passed.
        CorruptCheckpointError: the download or cached file has another hash.
    """
    expected = (sha256 or '').lower() or sha256_from_url(url)
    if not expected or not _HASH_PART.fullmatch(expected):
        raise UnsafeCheckpointError(
            f'refusing to download {url}: its file name does not end in '
            '-<sha256 prefix of 8+ hex digits> (e.g. name_20261124-0a1b2c3d.pth) and '
            'no sha256 was given, so the download could not be checked. Pass '
            'sha256=..., or download it yourself, check it and pass the local path'
        )
    cache = Path(model_dir) if model_dir else Path(torch.hub.get_dir()) / 'checkpoints'
    target = cache / PurePosixPath(urlparse(url).path).name
    rank, world_size = get_dist_info()
    if rank == 0:
        _fetch_verified(url, target, expected)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            _fetch_verified(url, target, expected)
    return load_local_checkpoint(target, map_location, allow_unsafe_pickle=False)


def local_path_of_url(url: str) -> str:
    """The local path a ``file://`` URL names (``file:///tmp/x.pth`` -> ``/tmp/x.pth``).

    Raises:
        UnsupportedCheckpointURLError: the URL names another host.
    """
    parsed = urlparse(url)
    if parsed.netloc not in ('', 'localhost'):
        raise UnsupportedCheckpointURLError(
            f'cannot load checkpoint {url}: a file:// URL must name a file on this '
            f'machine, not on {parsed.netloc!r}; copy it here and pass the local path'
        )
    return unquote(parsed.path)


def load_checkpoint_file(filename: str, map_location: Any = None) -> dict:
    """Load a local path, a ``file://`` URL or an http(s) URL with this module's rules.

    Raises:
        UnsupportedCheckpointURLError: other URL schemes (``s3://``,
            ``open-mmlab://``, ...); also a ``ValueError``.
    """
    if filename.startswith(('http://', 'https://')):
        return load_http_checkpoint(filename, map_location)
    if filename.startswith('file://'):
        return load_local_checkpoint(local_path_of_url(filename), map_location)
    if _URL_SCHEME.match(filename):
        raise UnsupportedCheckpointURLError(
            f'cannot load checkpoint {filename}: only local paths and http(s) URLs '
            'are supported (and file:// URLs of this machine); download it and pass '
            'the local path'
        )
    return load_local_checkpoint(filename, map_location)


def _mmengine_local(filename: str, map_location: Any = None) -> dict:
    """MMEngine ``CheckpointLoader`` scheme for local paths."""
    return load_local_checkpoint(filename, map_location)


def _mmengine_url(filename: str, map_location: Any = None) -> dict:
    """MMEngine ``CheckpointLoader`` scheme for every URL (``scheme://...``).

    http(s) and ``file://`` URLs load as :func:`load_checkpoint_file` loads them;
    other schemes (``s3://``, ``open-mmlab://``, ``torchvision://``, ...) are
    refused with :class:`UnsupportedCheckpointURLError` instead of going
    through MMEngine's unchecked loaders.
    """
    return load_checkpoint_file(filename, map_location)


@contextmanager
def inpaintzoo_checkpoint_schemes() -> Iterator[None]:
    """Route MMEngine's ``CheckpointLoader`` through this module inside the block.

    Covers ``Runner.load_checkpoint``/``resume`` and ``init_cfg=dict(type=
    'Pretrained')``: local paths and every ``scheme://`` URL (http(s) and
    ``file://`` load, other schemes are refused). The previous schemes are
    restored on exit, also after an error; nesting is fine.
    """
    saved = CheckpointLoader._schemes
    # only these two: MMEngine's own URL loaders (torchvision://, s3://, ...)
    # would bypass the weights-only and hash rules
    CheckpointLoader._schemes = OrderedDict(
        [(_URL_SCHEME.pattern.removeprefix('^'), _mmengine_url), ('', _mmengine_local)]
    )
    try:
        yield
    finally:
        CheckpointLoader._schemes = saved
