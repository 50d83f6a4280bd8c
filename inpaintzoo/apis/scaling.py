"""Forward time against input size, one fresh process per (model, size).

:func:`run_scaling_case` runs :func:`inpaintzoo.apis.benchmark.benchmark_generator`
in a child Python process under an address-space cap (``RLIMIT_AS``), so one
size that runs out of memory or crashes becomes a recorded failure instead of
ending the sweep. :func:`fit_exponent` turns the times into one number per model:
the slope of log(time) against log(pixels) (1 = linear in the pixel count, 2 =
quadratic).
"""

import contextlib
import ctypes
import json
import math
import os
import resource
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

import torch

from inpaintzoo.apis.cli import run_cli
from inpaintzoo.utils import freed_memory
from inpaintzoo.utils.errors import ConfigError

#: the four models of the scaling plot: name -> paper-size config
SCALING_MODELS = {
    'HINT': 'configs/hint/hint_1xb4-300k_places2-256x256.py',
    'MxT': 'configs/mxt/mxt_places2.py',
    'SEM-Net': 'configs/sem_net/sem_places2.py',
    'NCLG-MT': 'configs/nclg/nclg_1xb1-130k_celeba-256x256.py',
}
#: default square sides
SCALING_SIZES = (128, 256, 384, 512, 768, 1024)
#: marker before the JSON result line a case process prints
RESULT_MARKER = 'SCALING_RESULT '
_OOM_SIGNS = (
    'MemoryError',
    'bad_alloc',
    "can't allocate memory",
    'Cannot allocate memory',
    'out of memory',
)


@dataclass
class ScalingRecord:
    """One (model, size) case.

    Attributes:
        model (str): Model name (e.g. ``'HINT'``).
        config (str): Config path.
        size (int): Square side S (input ``1 x 3 x S x S``).
        status (str): ``'ok'``, ``'oom'``, ``'timeout'`` or ``'error'``.
        median_s (float | None): Median forward time.
        peak_mib (float | None): Peak RSS of the case process.
        gmac (float | None): GMACs of the forward (with ``flops``).
        message (str): Why it failed ('' when ok).
        cfg_options (dict): Overrides used (NCLG-MT: its ``input_size``).
        keep_freed_memory (bool): The case process kept freed memory for reuse
            (:mod:`inpaintzoo.utils.freed_memory`).
    """

    model: str
    config: str
    size: int
    status: str
    median_s: float | None = None
    peak_mib: float | None = None
    gmac: float | None = None
    message: str = ''
    cfg_options: dict | None = None
    keep_freed_memory: bool = False

    @property
    def pixels(self) -> int:
        """``size ** 2``."""
        return self.size * self.size

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return dict(asdict(self), pixels=self.pixels)


def size_options(model: str, config: str, size: int) -> dict:
    """Config overrides a model needs to run at ``size`` x ``size``.

    NCLG-MT checks that its input is ``input_size`` square (the landmark map is
    ``input_size / 2``); every layer of it is size-agnostic (convolutions, and
    spatial means in the landmark head), so the same weights run at any size
    divisible by 4 once ``model.generator.input_size`` is set. The other
    generators pad internally and need nothing.
    """
    if model.upper().startswith('NCLG') or '/nclg/' in config.replace(os.sep, '/'):
        return {'model.generator.input_size': size}
    return {}


def fit_exponent(pixels: list[float], times: list[float]) -> float:
    """Least-squares slope of ``log(time)`` against ``log(pixels)``.

    ``time ~ c * pixels**k``: k = 1 is linear in the pixel count, 2 quadratic.

    Args:
        pixels (list[float]): Pixel counts (> 0), at least two distinct.
        times (list[float]): Times (> 0), same length.

    Returns:
        float: the exponent k.

    Raises:
        ConfigError: fewer than two points, unequal lengths or non-positive values.
    """
    if len(pixels) != len(times) or len(set(pixels)) < 2:
        raise ConfigError(
            'fitting an exponent needs at least two distinct sizes with a time each, '
            f'got {len(pixels)} sizes and {len(times)} times'
        )
    if min(pixels) <= 0 or min(times) <= 0:
        raise ConfigError('pixel counts and times must be positive to fit in log-log')
    xs = [math.log(p) for p in pixels]
    ys = [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx


def run_scaling_case(
    model: str,
    config: str,
    size: int,
    max_mem_gb: float | None = 20.0,
    timeout_s: float | None = None,
    threads: int | None = None,
    warmup: int = 1,
    runs: int = 3,
    flops: bool = False,
    cfg_options: dict | None = None,
    keep_freed_memory: bool = False,
) -> ScalingRecord:
    """Time ``config``'s generator at ``size`` x ``size`` in a fresh process.

    Args:
        model (str): Name for the record.
        config (str): Config path.
        size (int): Square side.
        max_mem_gb (float, optional): ``RLIMIT_AS`` of the child in GiB (virtual
            address space: includes ~4 GiB of mapped libraries); None: no cap.
        timeout_s (float, optional): Kill the child after this many seconds.
        threads (int, optional): torch threads of the child.
        warmup (int): Untimed forwards.
        runs (int): Timed forwards.
        flops (bool): Also count MACs (one more traced forward).
        cfg_options (dict, optional): Overrides for every size (merged with
            :func:`size_options`).
        keep_freed_memory (bool): The child keeps freed memory for reuse, as the
            ``inpaintzoo`` programs do (:mod:`inpaintzoo.utils.freed_memory`).

    Returns:
        ScalingRecord: ``status='ok'`` with the time, or the failure.
    """
    options = {**(cfg_options or {}), **size_options(model, config, size)}
    case = dict(
        config=config,
        shape=[size, size],
        warmup=warmup,
        runs=runs,
        count_macs=flops,
        cfg_options=options or None,
    )
    payload = json.dumps(
        dict(
            case=case,
            threads=threads,
            max_mem_gb=max_mem_gb,
            keep_freed_memory=keep_freed_memory,
        )
    )
    record = ScalingRecord(model, config, size, 'error', cfg_options=options or None)
    try:
        proc = subprocess.run(
            [sys.executable, '-m', 'inpaintzoo.apis.scaling', payload],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        record.status, record.message = 'timeout', f'over {timeout_s} s'
        return record
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER) :])
            record.status = 'ok'
            record.median_s = result['median_s']
            record.peak_mib = result['peak_mem_mb']
            record.gmac = result['gmac']
            record.keep_freed_memory = result['keep_freed_memory']
            return record
    lines = proc.stderr.strip().splitlines()
    last = lines[-1] if lines else f'exit status {proc.returncode}'
    killed = proc.returncode in (-9, 137)
    if killed or any(sign in proc.stderr for sign in _OOM_SIGNS):
        record.status = 'oom'
    record.message = f'exit status {proc.returncode}: {last[-300:]}'
    return record


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the sweep process dies (no orphaned case runs)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL('libc.so.6', use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _child_main(payload: str) -> None:
    _die_with_parent()
    args: dict[str, Any] = json.loads(payload)
    if args.get('max_mem_gb'):
        limit = int(args['max_mem_gb'] * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    kept = bool(args.get('keep_freed_memory')) and freed_memory.keep_freed_memory()
    if args.get('threads'):
        torch.set_num_threads(args['threads'])
    from inpaintzoo.apis.benchmark import benchmark_generator

    case = args['case']
    case['shape'] = tuple(case['shape'])
    result = benchmark_generator(**case)
    record = dict(result.to_dict(), keep_freed_memory=kept)
    print(RESULT_MARKER + json.dumps(record), flush=True)


if __name__ == '__main__':
    run_cli(lambda: _child_main(sys.argv[1]))
