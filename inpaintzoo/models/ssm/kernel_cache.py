"""Trusted on-disk cache of the compiled CPU kernel: private folders and manifests.

A cached shared library is native code that runs in this process as soon as it is
loaded, so nothing is loaded from a folder another user could write to, and no file
is loaded unless it matches what this user's own build recorded:

* **Folders.** Every folder the cache creates is made with mode 0700. Before each
  use the cache folder must be a real directory (not a symlink) owned by the
  effective user and not writable by group or others, and every folder above it
  must be owned by that user or by root and, if writable by others, sticky (as
  ``/tmp`` is), so nobody else can rename or replace it.
* **Manifests.** A build is compiled to a temporary name and renamed to a fresh
  library name (never over a file that may be mapped); then a JSON manifest with
  the library's name, size and SHA-256 is written atomically (temporary file +
  rename). A library is loaded only through its manifest, after its size and
  SHA-256 match, so a truncated, corrupted or planted file is never ``dlopen``-ed.
* **Failure records.** A flag set whose build or load failed deterministically is
  recorded, so later processes do not run the compiler again for it.

POSIX ownership/mode checks are skipped on systems without ``os.geteuid``
(Windows), where the per-user profile folders are private by default.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from inpaintzoo.utils.errors import UntrustedPathError

PRIVATE_MODE = 0o700
# the library name a manifest may point to: a plain file name in the same folder
LIBRARY_NAME = re.compile(r'^selective_scan_cpu-[0-9a-f]{16}-[0-9a-f]{16}\.so$')


def _euid() -> int | None:
    return os.geteuid() if hasattr(os, 'geteuid') else None


def _owner_and_mode_problem(path: Path, st: os.stat_result) -> str | None:
    """Why ``path`` (lstat result ``st``) is not private to this user, or None."""
    euid = _euid()
    if euid is None:
        return None
    if st.st_uid != euid:
        return f'{path} is owned by uid {st.st_uid}, not by you (uid {euid})'
    if st.st_mode & 0o022:
        return (
            f'{path} is writable by group/others (mode {stat.S_IMODE(st.st_mode):o}); '
            f'run `chmod go-w {path}` or remove it'
        )
    return None


def check_private_file(path: Path) -> None:
    """Raise :class:`UntrustedPathError` unless ``path`` is a private regular file.

    Private: not a symlink, owned by the effective user, not group/world-writable.
    """
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise UntrustedPathError(f'{path} is not a regular file (symlink or other)')
    problem = _owner_and_mode_problem(path, st)
    if problem:
        raise UntrustedPathError(problem)


def check_owned(path: Path, what: str) -> None:
    """Raise :class:`UntrustedPathError` unless ``path`` is the user's own.

    The path (symlinks resolved) must be owned by the effective user and not
    writable by group or others, so nobody else can change code loaded from it.

    Args:
        path (Path): a file or folder.
        what (str): what the path is, for the message (``'official checkout'``).
    """
    real = Path(path).resolve(strict=True)
    problem = _owner_and_mode_problem(real, os.lstat(real))
    if problem:
        raise UntrustedPathError(f'{what} refused: {problem}')


def _check_ancestors(path: Path) -> None:
    """Folders above ``path``: owned by the user or root; others-writable => sticky.

    Checked as written (a symbolic link on the way must belong to the user or
    root: it decides where the cache is) and, by the caller, once more with every
    link resolved.
    """
    euid = _euid()
    if euid is None:
        return
    for parent in path.parents:
        st = os.lstat(parent)
        if st.st_uid not in (euid, 0):
            link = 'a symbolic link ' if stat.S_ISLNK(st.st_mode) else ''
            raise UntrustedPathError(
                f'{parent} (above the kernel cache {path}) is {link}owned by uid '
                f'{st.st_uid}; choose a cache folder with $INPAINTZOO_KERNEL_DIR whose '
                'parent folders belong to you or root'
            )
        if stat.S_ISLNK(st.st_mode):
            continue  # a link's own mode means nothing; its target is checked too
        if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
            raise UntrustedPathError(
                f'{parent} (above the kernel cache {path}) is writable by group/'
                f'others without the sticky bit (mode {stat.S_IMODE(st.st_mode):o}), '
                'so another user could replace the cache; choose another folder with '
                '$INPAINTZOO_KERNEL_DIR'
            )


def private_dir(path: Path) -> Path:
    """Create ``path`` (missing folders with mode 0700) and check it is trusted.

    Args:
        path (Path): cache folder; ``~`` is expanded, relative paths are made
            absolute.

    Returns:
        Path: the folder with symlinks resolved.

    Raises:
        UntrustedPathError: the folder or one above it fails the checks.
        OSError: the folder cannot be created or written.
    """
    path = Path(os.path.abspath(os.path.expanduser(path)))
    missing = []
    probe = path
    while not os.path.lexists(probe):
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_MODE)
        except FileExistsError:
            continue  # created concurrently: checked below like any folder
        os.chmod(folder, PRIVATE_MODE)  # the umask may have dropped bits
    if os.path.islink(path):
        raise UntrustedPathError(
            f'kernel cache {path} is a symbolic link (to {os.path.realpath(path)}); '
            'it must be a real folder: set $INPAINTZOO_KERNEL_DIR to the folder itself'
        )
    _check_ancestors(path)  # as written: links on the way, and their folders
    real = path.resolve(strict=True)
    st = os.lstat(real)
    if not stat.S_ISDIR(st.st_mode):
        raise UntrustedPathError(f'kernel cache {real} is not a directory')
    problem = _owner_and_mode_problem(real, st)
    if problem:
        raise UntrustedPathError(f'kernel cache folder refused: {problem}')
    _check_ancestors(real)
    if not os.access(real, os.W_OK | os.X_OK):
        raise PermissionError(f'kernel cache {real} is not writable')
    return real


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` via a private temporary file + rename."""
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', suffix='.json', dir=path.parent)
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_trusted_json(path: Path) -> dict | None:
    """A JSON record written by :func:`write_json_atomic`; None if absent.

    Raises:
        UntrustedPathError: the file is not a private regular file.
        ValueError: the file is not a JSON object.
    """
    if not os.path.lexists(path):
        return None
    check_private_file(path)
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict):
        raise ValueError(f'{path} is not a JSON object')
    return data


def verified_library(manifest: Path) -> Path | None:
    """The library named by ``manifest`` once it matches the recorded hash.

    Args:
        manifest (Path): ``<folder>/selective_scan_cpu-<key>.json``.

    Returns:
        Path | None: the library path, or None when there is no manifest.

    Raises:
        UntrustedPathError: manifest or library fail the owner/mode checks, or
            the library's size / SHA-256 differ from the manifest (truncated,
            modified or replaced); the message names the file.
    """
    try:
        data = read_trusted_json(manifest)
    except ValueError as err:
        raise UntrustedPathError(
            f'unreadable kernel manifest {manifest}: {err}'
        ) from err
    if data is None:
        return None
    name = str(data.get('library', ''))
    if not LIBRARY_NAME.match(name):
        raise UntrustedPathError(f'kernel manifest {manifest} names {name!r}')
    library = manifest.parent / name
    if not os.path.lexists(library):
        raise UntrustedPathError(f'{library} (named by {manifest.name}) is missing')
    check_private_file(library)
    size = os.lstat(library).st_size
    if size != data.get('size') or sha256_file(library) != data.get('sha256'):
        raise UntrustedPathError(
            f'{library} does not match its manifest (size {size} bytes, recorded '
            f'{data.get("size")}; or a different SHA-256): truncated or modified'
        )
    return library


def discard(manifest: Path) -> None:
    """Remove a manifest and the library it names (best effort).

    Unlinking never truncates, so a process that has the library mapped keeps
    running on it.
    """
    with contextlib.suppress(OSError, ValueError):
        data = read_trusted_json(manifest) or {}
        name = str(data.get('library', ''))
        if LIBRARY_NAME.match(name):
            (manifest.parent / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        manifest.unlink(missing_ok=True)


def new_library_name(key: str) -> str:
    """A fresh library file name for cache key ``key`` (16 hex digits)."""
    return f'selective_scan_cpu-{key}-{os.urandom(8).hex()}.so'


@contextlib.contextmanager
def build_lock(folder: Path, key: str) -> Iterator[None]:
    """Exclusive lock while one process builds ``key`` (no-op without ``fcntl``).

    ``flock`` locks are dropped by the OS when a process dies, so a killed build
    never leaves a stale lock behind.
    """
    try:
        import fcntl
    except ImportError:  # Windows: concurrent builds stay safe, only redundant
        yield
        return
    fd = os.open(
        folder / f'selective_scan_cpu-{key}.lock',
        os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0),
        0o600,
    )
    try:
        # a file system without locks: build unlocked (still atomic, only redundant)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
