"""Build, cache and load the fused CPU selective-scan kernel (``csrc/*.c``).

The kernel is plain C99 with no Python or torch headers, compiled on first use with
the system C compiler (``$CC``, split like a shell word list, else ``cc``) into a
per-user cache and loaded with :mod:`ctypes` (its interface: source files, struct
mirrors and signatures, is :mod:`~inpaintzoo.models.ssm.kernel_abi`). Nothing is
compiled at install time, and a machine without a compiler simply keeps the
pure-PyTorch scan (one warning says why). ``torch.utils.cpp_extension.load`` was
measured as an alternative and not adopted (see ``docs/ssm.md``: same build time
and kernel speed, but no owner / mode / hash checks, a stale-lock hazard and a C++
build with torch's headers).

Threads: built with ``-fopenmp`` the library needs ``libgomp.so.1``; PyTorch's
wheels have already loaded a library of that name, so the dynamic loader reuses it
and the kernel's parallel regions run on PyTorch's own OpenMP thread team (no
second pool competing for the cores). Without OpenMP it runs on one thread.

Cache folder: ``$INPAINTZOO_KERNEL_DIR``, else ``$XDG_CACHE_HOME/inpaintzoo/kernels``
(``~/.cache/...``); if that cannot be created, written or trusted, the per-user
``inpaintzoo-kernels-<uid>`` folder in the temp directory. Either folder must pass
the checks of :mod:`~inpaintzoo.models.ssm.kernel_cache` (private to this user,
checked on every load), and a library is loaded only after its SHA-256 matches the
manifest this user's build wrote. The cache key hashes the source, the compiler
command and version, the flags, the CPU model and the ctypes struct layouts. A
flag set that fails to build or load is recorded (``<key>.failed``) and skipped by
later processes; delete those files to retry.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import tempfile
import time
import warnings
from functools import lru_cache
from pathlib import Path

from inpaintzoo.models.ssm import kernel_cache
from inpaintzoo.models.ssm.kernel_abi import (
    SOURCE,
    SOURCES,
    ConvArgs,
    Dw2dArgs,
    LnArgs,
    ScanArgs,
    configure,
    structs,
)

KERNEL_DIR_ENV = 'INPAINTZOO_KERNEL_DIR'
BASE_FLAGS = ('-O3', '-std=gnu99', '-fPIC', '-shared', '-fno-math-errno', '-Wno-psabi')
NATIVE_FLAGS = ('-march=native',)
OPENMP_FLAGS = ('-fopenmp',)
# tried in this order; the first that builds and loads wins
FLAG_SETS = (
    BASE_FLAGS + NATIVE_FLAGS + OPENMP_FLAGS,
    BASE_FLAGS + OPENMP_FLAGS,
    BASE_FLAGS,
)
COMPILE_TIMEOUT_S = 180


def kernel_dir() -> Path:
    """Preferred folder of the compiled kernels (not created here)."""
    env = os.environ.get(KERNEL_DIR_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'inpaintzoo' / 'kernels'


def _fallback_dir() -> Path:
    """Per-user temporary folder, used when :func:`kernel_dir` is unusable."""
    uid = os.geteuid() if hasattr(os, 'geteuid') else 0
    return Path(tempfile.gettempdir()) / f'inpaintzoo-kernels-{uid}'


def cache_dir() -> tuple[Path | None, list[str]]:
    """The trusted, writable cache folder and why any candidate was refused.

    Returns:
        tuple[Path | None, list[str]]: :func:`kernel_dir` or, failing that,
        :func:`_fallback_dir` (created 0700 and checked, see
        :func:`kernel_cache.private_dir`), or None; and one line per refused
        folder.
    """
    problems = []
    for folder in (kernel_dir(), _fallback_dir()):
        try:
            return kernel_cache.private_dir(folder), problems
        except OSError as err:
            problems.append(f'{folder}: {err}')
    return None, problems


def _compiler() -> list[str] | None:
    """``$CC`` (else ``cc``) as an argument list with a resolved program, or None.

    Raises:
        ValueError: ``$CC`` cannot be split into words (unbalanced quotes).
    """
    words = shlex.split(os.environ.get('CC') or 'cc')
    if not words:
        return None
    program = shutil.which(words[0])
    return None if program is None else [program, *words[1:]]


def _cpu_model() -> str:
    """CPU model and feature flags (``-march=native`` builds are per CPU)."""
    try:
        lines = Path('/proc/cpuinfo').read_text().splitlines()
    except OSError:
        return platform.processor()
    keys = ('model name', 'flags', 'Features', 'CPU part')
    return '\n'.join(sorted({ln for ln in lines if ln.startswith(keys)}))


def _compiler_version(cc: list[str] | str) -> str:
    """First line of ``cc --version`` ('' if it cannot be run)."""
    argv = [cc] if isinstance(cc, str) else list(cc)
    try:
        out = subprocess.run(
            [*argv, '--version'],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return out.stdout.splitlines()[0] if out.stdout else ''
    except (OSError, subprocess.SubprocessError):
        return ''


class BuildError(RuntimeError):
    """The compiler ran and failed; ``recordable`` when a retry would fail too."""

    def __init__(self, message: str, recordable: bool) -> None:
        super().__init__(message)
        self.recordable = recordable


def _build(cc: list[str], flags: tuple[str, ...], folder: Path, key: str) -> Path:
    """Compile ``SOURCE`` into ``folder`` under a fresh name; record a manifest.

    The compiler writes a hidden temporary file, which is renamed to a fresh
    library name (never over an existing, possibly mapped, file); then the
    manifest with its size and SHA-256 is written atomically.

    Returns:
        Path: the new library.

    Raises:
        BuildError: the compiler could not be run or failed (stderr tail quoted).
    """
    fd, tmp = tempfile.mkstemp(prefix='.building-', suffix='.so', dir=folder)
    os.close(fd)
    cmd = [*cc, *flags, str(SOURCE), '-o', tmp, '-lm']
    shown = shlex.join(cmd)
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        Path(tmp).unlink(missing_ok=True)
        raise BuildError(
            f'the C compiler timed out after {COMPILE_TIMEOUT_S} s: {shown}', False
        ) from None
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise BuildError(
            f'the C compiler could not be run: {shown}: {err}', False
        ) from err
    if out.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        tail = (out.stderr.strip() or out.stdout.strip())[-2000:] or '(no output)'
        raise BuildError(
            f'the C compiler failed (exit status {out.returncode}): {shown}\n{tail}',
            True,
        )
    target = folder / kernel_cache.new_library_name(key)
    os.chmod(tmp, 0o700)
    os.replace(tmp, target)
    kernel_cache.write_json_atomic(
        folder / f'selective_scan_cpu-{key}.json',
        {
            'library': target.name,
            'size': os.lstat(target).st_size,
            'sha256': kernel_cache.sha256_file(target),
            'flags': list(flags),
            'compiler': cc,
            'scan_args_size': ctypes.sizeof(ScanArgs),
            'conv_args_size': ctypes.sizeof(ConvArgs),
            'dw2d_args_size': ctypes.sizeof(Dw2dArgs),
            'ln_args_size': ctypes.sizeof(LnArgs),
        },
    )
    return target


def _record_failure(folder: Path, key: str, flags: tuple[str, ...], error: str) -> None:
    """Remember that ``flags`` fail here, so later processes skip the compiler."""
    with contextlib.suppress(OSError):  # best effort: else the next one retries
        kernel_cache.write_json_atomic(
            folder / f'selective_scan_cpu-{key}.failed',
            {'flags': list(flags), 'error': error[-2000:], 'time': time.time()},
        )


def _load_verified(folder: Path, key: str) -> ctypes.CDLL | None:
    """The cached library of ``key`` if its manifest verifies, else None.

    A library that fails verification (truncated, modified, wrong owner/mode,
    unreadable) is never loaded: one warning names it, it is removed (unlinking
    does not disturb a process that already mapped it) and None is returned, so
    it gets rebuilt under a fresh name.

    Raises:
        BuildError: a verified library cannot be loaded or configured
            (``recordable``: loading it again would fail the same way).
    """
    manifest = folder / f'selective_scan_cpu-{key}.json'
    try:
        library = kernel_cache.verified_library(manifest)
    except OSError as err:
        warnings.warn(
            f'inpaintzoo: the cached CPU scan kernel failed verification and is not '
            f'loaded ({err}); rebuilding it',
            RuntimeWarning,
            stacklevel=4,
        )
        kernel_cache.discard(manifest)
        return None
    if library is None:
        return None
    try:
        lib = configure(ctypes.CDLL(str(library)))
    except (OSError, AttributeError, RuntimeError) as err:
        raise BuildError(f'loading {library}: {err}', True) from err
    lib.path = library
    return lib


def build_stamp(cc: list[str]) -> bytes:
    """What every cache key of compiler ``cc`` hashes besides the flags."""
    return b'\0'.join(
        [
            *(path.read_bytes() for path in SOURCES),
            shlex.join(cc).encode(),
            _compiler_version(cc).encode(),
            _cpu_model().encode(),
            platform.machine().encode(),
            repr([struct._fields_ for _, struct in structs()]).encode(),
        ]
    )


def cache_key(stamp: bytes, flags: tuple[str, ...]) -> str:
    """16 hex digits naming the build of ``stamp`` (:func:`build_stamp`) + flags."""
    return hashlib.sha256(b'\0'.join([' '.join(flags).encode(), stamp])).hexdigest()[
        :16
    ]


def _try_flag_set(
    cc: list[str], flags: tuple[str, ...], folder: Path, key: str
) -> ctypes.CDLL:
    """Load the verified cached build of ``flags`` or build it (under a lock).

    Raises:
        BuildError: build or load failed (``recordable`` when deterministic).
    """
    with kernel_cache.build_lock(folder, key):
        lib = _load_verified(folder, key)
        if lib is None:
            try:
                _build(cc, flags, folder, key)
            except OSError as err:  # disk full, folder removed, ...: not recorded
                msg = f'cannot write the kernel into {folder}: {err}'
                raise BuildError(msg, False) from err
            lib = _load_verified(folder, key)
    if lib is None:  # our own fresh build did not verify (removed meanwhile?)
        raise BuildError(f'the fresh build in {folder} did not verify', False)
    return lib


@lru_cache(maxsize=1)
def load_kernel() -> ctypes.CDLL | None:
    """The compiled kernel library, building it if needed; None if impossible.

    Returns:
        ctypes.CDLL | None: the library (``build_flags`` and ``path`` attributes
        say which flag set and file), or None, with one warning naming the
        reason, when no C compiler is available, the cache folders cannot be
        trusted or every flag set fails.
    """
    cc_env = os.environ.get('CC') or 'cc'
    try:
        cc = _compiler()
    except ValueError as err:
        return _disabled(f'$CC={cc_env!r} cannot be split into words ({err})')
    if cc is None:
        first = (shlex.split(cc_env) or [''])[0]
        named = f'$CC={cc_env!r} names {first!r}' if 'CC' in os.environ else 'cc'
        return _disabled(
            f'no C compiler found ({named}, which is not on PATH; install gcc or '
            'clang, or set $CC)'
        )
    folder, problems = cache_dir()
    if folder is None:
        return _disabled(
            'no trusted, writable kernel cache folder:\n' + '\n'.join(problems)
        )
    if problems:
        warnings.warn(
            'inpaintzoo: kernel cache folder not used: '
            + '\n'.join(problems)
            + f'\nusing {folder} instead',
            RuntimeWarning,
            stacklevel=2,
        )
    stamp = build_stamp(cc)
    errors = []
    for flags in FLAG_SETS:
        key = cache_key(stamp, flags)
        failed = folder / f'selective_scan_cpu-{key}.failed'
        try:
            record = kernel_cache.read_trusted_json(failed)
        except (OSError, ValueError):
            record = None  # an untrusted record is ignored, not obeyed
        if record is not None:
            errors.append(
                f'{" ".join(flags)}: failed before (recorded in {failed}; delete it '
                f'to retry): {record.get("error", "")}'
            )
            continue
        try:
            lib = _try_flag_set(cc, flags, folder, key)
        except BuildError as err:
            errors.append(str(err))
            if err.recordable:
                _record_failure(folder, key, flags, str(err))
            continue
        lib.build_flags = flags  # which FLAG_SETS entry built it (for reports)
        return lib
    return _disabled(
        'could not build the fused CPU selective scan:\n' + '\n'.join(errors)
    )


def _disabled(reason: str) -> None:
    warnings.warn(
        f'inpaintzoo: {reason}\nThe fused CPU selective scan is disabled and the '
        '(slower) pure-PyTorch scan is used.',
        RuntimeWarning,
        stacklevel=3,
    )
    return None
