"""Build, cache and load the fused CPU selective-scan kernel (``csrc/*.c``).

The kernel is plain C99 with no Python or torch headers, compiled on first use with
the system C compiler (``$CC``, else ``cc``) into a per-machine cache and loaded
with :mod:`ctypes`. Nothing is compiled at install time, and a machine without a
compiler simply keeps the pure-PyTorch scan (one warning says why).

Threads: built with ``-fopenmp`` the library needs ``libgomp.so.1``; PyTorch's
wheels have already loaded a library of that name, so the dynamic loader reuses it
and the kernel's parallel regions run on PyTorch's own OpenMP thread team (no
second pool competing for the cores). Without OpenMP it runs on one thread.

Cache folder: ``$INPAINTZOO_KERNEL_DIR``, else ``$XDG_CACHE_HOME/inpaintzoo/kernels``
(``~/.cache/...``). The file name carries a hash of the source, the compiler flags,
the compiler's version and the CPU model, so a changed source or a different machine
builds anew. Concurrent builds (several test workers) are safe: each compiles to its
own temporary file and renames it into place.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).with_name('csrc') / 'selective_scan_cpu.c'
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


class ScanArgs(ctypes.Structure):
    """Mirror of the C ``ScanArgs`` struct (pointers, then int64 sizes/strides)."""

    _fields_ = [
        (name, ctypes.c_void_p)
        for name in (
            'u',
            'delta',
            'A',
            'B',
            'C',
            'delta_bias',
            'y',
            'h_last',
            'ckpt',
            'gy',
            'gh_last',
            'gu',
            'gdelta',
            'gA',
            'gB',
            'gC',
            'z',
            'skip',
        )
    ] + [
        (name, ctypes.c_int64)
        for name in (
            'batch',
            'length',
            'dim',
            'n_state',
            'groups',
            'chunk',
            'softplus',
            'su_b',
            'su_l',
            'sd_b',
            'sd_l',
            'sb_b',
            'sb_l',
            'sc_b',
            'sc_l',
            'sy_b',
            'sy_l',
            'sgy_b',
            'sgy_l',
            'sgu_b',
            'sgu_l',
            'sgd_b',
            'sgd_l',
            'sgb_b',
            'sgb_l',
            'sgc_b',
            'sgc_l',
            'sz_b',
            'sz_l',
        )
    ]


class ConvArgs(ctypes.Structure):
    """Mirror of the C ``ConvArgs`` struct (causal depth-wise conv + SiLU)."""

    _fields_ = [(name, ctypes.c_void_p) for name in ('x', 'w', 'bias', 'out')] + [
        (name, ctypes.c_int64)
        for name in ('batch', 'length', 'dim', 'ksize', 'sx_b', 'sx_l', 'so_b', 'so_l')
    ]


def kernel_dir() -> Path:
    """Folder of the compiled kernels (created on demand)."""
    env = os.environ.get(KERNEL_DIR_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'inpaintzoo' / 'kernels'


def _fallback_dir() -> Path:
    """Per-user temporary folder, used when :func:`kernel_dir` is not writable."""
    return (
        Path(tempfile.gettempdir())
        / f'inpaintzoo-kernels-{getattr(os, "getuid", lambda: 0)()}'
    )


def _writable_dir() -> Path:
    """:func:`kernel_dir`, or :func:`_fallback_dir` when it cannot be written."""
    try:
        kernel_dir().mkdir(parents=True, exist_ok=True)
    except OSError:
        return _fallback_dir()
    return kernel_dir() if os.access(kernel_dir(), os.W_OK) else _fallback_dir()


def _compiler() -> str | None:
    cc = os.environ.get('CC') or 'cc'
    return shutil.which(cc)


def _cpu_model() -> str:
    """CPU model and feature flags (``-march=native`` builds are per CPU)."""
    try:
        lines = Path('/proc/cpuinfo').read_text().splitlines()
    except OSError:
        return platform.processor()
    keys = ('model name', 'flags', 'Features', 'CPU part')
    return '\n'.join(sorted({ln for ln in lines if ln.startswith(keys)}))


def _compiler_version(cc: str) -> str:
    try:
        out = subprocess.run(
            [cc, '--version'], capture_output=True, text=True, timeout=30, check=False
        )
        return out.stdout.splitlines()[0] if out.stdout else ''
    except (OSError, subprocess.SubprocessError):
        return ''


def _build(cc: str, flags: tuple[str, ...], target: Path) -> str | None:
    """Compile ``SOURCE`` to ``target``; returns None on success, else the error."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix='.so', dir=target.parent)
    except OSError as err:
        return f'cannot write to {target.parent}: {err}'
    os.close(fd)
    cmd = [cc, *flags, str(SOURCE), '-o', tmp, '-lm']
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as err:
        Path(tmp).unlink(missing_ok=True)
        return f'{" ".join(cmd)}: {err}'
    if out.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        return f'{" ".join(cmd)} failed:\n{out.stderr.strip()[-2000:]}'
    os.replace(tmp, target)
    return None


def _configure(lib: ctypes.CDLL) -> ctypes.CDLL:
    ptr, i32, i64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_int64
    args_p = ctypes.POINTER(ScanArgs)
    for sfx in ('f32', 'f64'):
        getattr(lib, f'scan_fwd_{sfx}').argtypes = [args_p, i32]
        getattr(lib, f'scan_fwd_{sfx}').restype = None
        getattr(lib, f'scan_bwd_{sfx}').argtypes = [args_p, i32, i64, i64, i64, ptr]
        getattr(lib, f'scan_bwd_{sfx}').restype = None
        getattr(lib, f'conv_silu_{sfx}').argtypes = [ctypes.POINTER(ConvArgs), i32]
        getattr(lib, f'conv_silu_{sfx}').restype = None
    for name in ('scan_vector_width', 'scan_max_state', 'scan_has_openmp'):
        getattr(lib, name).restype = i32
    return lib


@lru_cache(maxsize=1)
def load_kernel() -> ctypes.CDLL | None:
    """The compiled kernel library, building it if needed; None if impossible.

    Returns:
        ctypes.CDLL | None: the library, or None (with one warning naming the
        reason) when no C compiler is available or the build fails.
    """
    cc = _compiler()
    if cc is None:
        warnings.warn(
            'inpaintzoo: no C compiler found ($CC or cc); the fused CPU selective '
            'scan is disabled and the (slower) pure-PyTorch scan is used',
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    # the same for every flag set: read the source and ask the compiler once
    stamp = [SOURCE.read_bytes(), _compiler_version(cc).encode()]
    stamp += [_cpu_model().encode(), platform.machine().encode()]
    errors = []
    for flags in FLAG_SETS:
        key = hashlib.sha256(b'\0'.join([' '.join(flags).encode(), *stamp]))
        name = f'selective_scan_cpu-{key.hexdigest()[:16]}.so'
        cached = [
            d / name for d in (kernel_dir(), _fallback_dir()) if (d / name).exists()
        ]
        target = cached[0] if cached else _writable_dir() / name
        if not cached:
            err = _build(cc, flags, target)
            if err is not None:
                errors.append(err)
                continue
        try:
            lib = _configure(ctypes.CDLL(str(target)))
        except (OSError, AttributeError) as err:
            errors.append(f'loading {target}: {err}')
            continue
        lib.build_flags = flags  # which FLAG_SETS entry built it (for reports)
        return lib
    warnings.warn(
        'inpaintzoo: could not build the fused CPU selective scan; the pure-PyTorch '
        'scan is used instead.\n' + '\n'.join(errors),
        RuntimeWarning,
        stacklevel=2,
    )
    return None
