"""Keep freed memory in the process for reuse (glibc malloc): a program's choice.

One CPU forward allocates and frees many large tensors: SEM-Net at 256² allocates
about 15 GB in one forward, with a peak near 2 GB. glibc's malloc hands out every
block above its mmap threshold (at most 32 MiB) as fresh pages from the kernel and
unmaps it again on ``free``; blocks allocated on another thread come from that
thread's arena, whose heaps are at most 64 MiB, so larger ones are mapped too. Each
such tensor is therefore page-faulted in again, page by page: on a 2-core virtual
machine 1.5 M page faults and ~2.5 s of kernel time in one SEM-Net forward of 7-8 s
(``docs/benchmarks.md``, *Freed memory*).

:func:`keep_freed_memory` sets three glibc ``mallopt`` parameters: one arena for
all threads (``M_ARENA_MAX`` 1), no mapped blocks (``M_MMAP_MAX`` 0) and no
trimming of the heap below 2 GiB of free top (``M_TRIM_THRESHOLD``). Freed blocks
then stay in the process and the next tensors reuse them: no page faults after the
first forward or two. The price is memory: the process keeps what it has taken
(:func:`release_freed_memory` gives it back; ``inpaintzoo serve`` does so after
every request), and its peak is higher, because a new 64-byte-aligned block does
not always fit into a freed one (SEM-Net at 512² in one process after 256²: peak
4.1-4.3 GiB against 3.6-3.9 GiB with glibc's defaults, 25-27 s per forward
against 35-43 s; at 1024² 14.0 GiB against 9.9 GiB, 139 s against 193 s).

This changes the allocator of the whole process, so importing inpaintzoo never
does it. The programs that run inference call it at start (``inpaintzoo inpaint``
/ ``restore`` / ``serve``, ``tools/inference_highres.py``,
``tools/inpaint_face.py``, ``tools/test.py``, the latency and official-code
benchmarks); ``--no-keep-freed-memory``, or ``$INPAINTZOO_KEEP_FREED_MEMORY=off``
for every program, leaves glibc's defaults. Training programs do
not (it gave no gain there: autograd keeps its tensors alive). Python programs may
call it themselves, before they start threads. Where the C library is not glibc it
does nothing and returns False.
"""

import argparse
import ctypes
import platform

from inpaintzoo.utils.env_switch import env_switch

#: glibc ``mallopt`` parameter numbers (``<malloc.h>``)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
M_ARENA_MAX = -8
#: ``mallopt`` takes an ``int``: the largest trim threshold it can set (2 GiB - 1)
INT_MAX = 2**31 - 1
#: (parameter, value) pairs :func:`keep_freed_memory` sets, in this order
KEEP_SETTINGS = ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, INT_MAX))

#: environment variable with the default of ``--keep-freed-memory`` (on / off)
ENV_VAR = 'INPAINTZOO_KEEP_FREED_MEMORY'

_state = {'kept': False}


def is_glibc() -> bool:
    """Whether this process runs on Linux with the GNU C library."""
    return platform.system() == 'Linux' and platform.libc_ver()[0] == 'glibc'


def keep_freed_memory() -> bool:
    """Make glibc keep freed memory in this process for reuse (see the module).

    Call it once, early, before threads start (threads that already allocated
    keep their own arena). Calling it again does nothing.

    Returns:
        bool: True when the settings are in effect, False where the C library is
        not glibc or ``mallopt`` refused a setting (glibc's defaults then stay
        as far as they were not changed).
    """
    if _state['kept']:
        return True
    if not is_glibc():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _state['kept'] = all(mallopt(param, value) == 1 for param, value in KEEP_SETTINGS)
    return _state['kept']


def keep_by_default() -> bool:
    """``$INPAINTZOO_KEEP_FREED_MEMORY``: on (also unset or empty) or off.

    Raises:
        ConfigError: the variable holds anything else than on/off words.
    """
    return env_switch(ENV_VAR)


def release_freed_memory() -> bool:
    """Give the freed memory kept in this process back to the system.

    glibc's ``malloc_trim(0)``: shrinks the heap and returns the whole free pages
    inside it. Only where :func:`keep_freed_memory` is in effect (with glibc's
    defaults large blocks are unmapped on ``free`` anyway). The next forward
    faults its pages in once more and then reuses them again: SEM-Net at 256²
    took 6.4-6.7 s per forward with a trim after each one, against 6.1-6.7 s
    kept and 8.5-9.9 s with glibc's defaults, and the process fell back to
    1.1 GiB between forwards instead of holding 1.9 GiB. ``inpaintzoo serve``
    calls it after every request, so an idle server does not hold the peak
    memory of its last picture.

    Returns:
        bool: whether ``malloc_trim`` ran and released memory.
    """
    if not _state['kept']:
        return False
    malloc_trim = ctypes.CDLL(None).malloc_trim
    malloc_trim.argtypes = (ctypes.c_size_t,)
    malloc_trim.restype = ctypes.c_int
    return malloc_trim(0) == 1


def is_kept() -> bool:
    """Whether :func:`keep_freed_memory` has taken effect in this process."""
    return _state['kept']


def add_freed_memory_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--keep-freed-memory`` / ``--no-keep-freed-memory``.

    The default is :func:`keep_by_default` (on unless the environment says off).
    """
    parser.add_argument(
        '--keep-freed-memory',
        action=argparse.BooleanOptionalAction,
        default=keep_by_default(),
        help='keep freed memory in the process for the next tensors (glibc; faster '
        'on CPU, no page faults for each new large tensor; the process keeps about '
        'its peak memory). --no-keep-freed-memory leaves the C library defaults',
    )


def apply_freed_memory_argument(args: argparse.Namespace) -> bool:
    """:func:`keep_freed_memory` if ``args.keep_freed_memory`` (absent: no).

    Returns:
        bool: whether freed memory is kept.
    """
    return bool(getattr(args, 'keep_freed_memory', False)) and keep_freed_memory()
