"""Latency, peak memory and achieved GFLOP/s of a config's generator.

Every result is set against the fp32 ``torch.mm`` peak measured in the same run
(:mod:`inpaintzoo.utils.matmul_peak`); options that change numerics (autocast,
cast weights, ``torch.compile``) report their error against the fp32 eager output
on the same input.
"""

import os.path as osp
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.analysis.flops import count_complexity
from inpaintzoo.apis.benchmark_numerics import (
    DTYPES,
    CompileError,
    compile_generator,
    first_call,
    main_output,
    output_error,
    precision_context,
    precision_label,
)
from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.matmul_peak import MatmulPeak
from inpaintzoo.utils.memory import peak_rss_mib, reset_peak_rss

__all__ = [
    'DTYPES',
    'CompileError',
    'LatencyResult',
    'benchmark_generator',
    'benchmark_inputs',
    'benchmark_sweep',
    'check_benchmark_args',
    'generator_macs',
    'time_forward',
]

#: (config, cfg_options, H, W) -> MACs of one batch-1 forward
_MAC_CACHE: dict[tuple[str, str, int, int], int] = {}


@dataclass
class LatencyResult:
    """Timings in seconds, peak memory in MiB and throughput of one benchmark.

    Attributes:
        precision (str): ``'fp32'``, ``'bf16 autocast'`` (weights fp32) or
            ``'bf16 weights'`` (weights and inputs cast, ``--cast-weights``).
        compiled (bool): The forward ran through ``torch.compile``.
        compile_s (float | None): Wall time of the first compiled call
            (compilation plus one forward).
        macs (int | None): Multiply-accumulates of one forward of the whole batch
            (counted once per config and size); None when not counted.
        peak (MatmulPeak | None): fp32 ``torch.mm`` peak of the same run.
        dtype_peak (MatmulPeak | None): ``dtype``'s peak when not fp32.
        max_abs_err (float | None): vs the fp32 eager output (None for fp32 eager).
        psnr_db (float | None): PSNR (peak 1) vs the fp32 eager output.
    """

    config: str
    device: str
    dtype: str
    shape: tuple[int, int, int, int]
    median_s: float
    p90_s: float
    peak_mib: float
    threads: int
    precision: str = 'fp32'
    compiled: bool = False
    compile_s: float | None = None
    macs: int | None = None
    peak: MatmulPeak | None = None
    dtype_peak: MatmulPeak | None = None
    max_abs_err: float | None = None
    psnr_db: float | None = None

    @property
    def images_per_s(self) -> float:
        """Throughput: batch size / median forward time."""
        return self.shape[0] / self.median_s

    @property
    def gflops(self) -> float | None:
        """Achieved GFLOP/s: ``2 * MACs / median time`` (None without MACs)."""
        return None if self.macs is None else 2 * self.macs / self.median_s / 1e9

    @property
    def pct_of_peak(self) -> float | None:
        """Achieved GFLOP/s as a percentage of the fp32 matmul peak."""
        if self.gflops is None or self.peak is None:
            return None
        return 100 * self.gflops / self.peak.gflops

    @property
    def pct_of_dtype_peak(self) -> float | None:
        """Achieved GFLOP/s as a percentage of the ``dtype`` matmul peak."""
        if self.gflops is None or self.dtype_peak is None:
            return None
        return 100 * self.gflops / self.dtype_peak.gflops

    def line(self) -> str:
        """One line for logs and metafiles."""
        n, _, h, w = self.shape
        mode = self.precision + (' compiled' if self.compiled else '')
        text = (
            f'{self.config}: {n}x3x{h}x{w} {mode} on {self.device} '
            f'({self.threads} threads): median {self.median_s:.3f} s, '
            f'p90 {self.p90_s:.3f} s, peak memory {self.peak_mib:.0f} MiB'
        )
        if self.macs is not None:
            text += f', {self.macs / 1e9:.2f} GMAC, {self.gflops:.1f} GFLOP/s'
            if self.peak is not None:
                text += (
                    f' = {self.pct_of_peak:.1f}% of the fp32 matmul peak '
                    f'{self.peak.gflops:.0f} GFLOP/s'
                )
            if self.dtype_peak is not None:
                text += (
                    f' ({self.pct_of_dtype_peak:.1f}% of the {self.dtype} peak '
                    f'{self.dtype_peak.gflops:.0f})'
                )
        if self.compile_s is not None:
            text += f', compile {self.compile_s:.1f} s'
        if self.max_abs_err is not None:
            psnr = 'inf' if self.psnr_db is None else f'{self.psnr_db:.1f}'
            text += (
                f', vs fp32 eager: max abs err {self.max_abs_err:.2e}, PSNR {psnr} dB'
            )
        return text + ' (generator forward only, no pre/post-processing)'

    def to_dict(self) -> dict:
        """JSON-ready record; ``peak_mem_mb`` is in MiB (2**20 bytes)."""
        n, _, h, w = self.shape
        return dict(
            config=self.config,
            device=self.device,
            dtype=self.dtype,
            precision=self.precision,
            compiled=self.compiled,
            threads=self.threads,
            batch=n,
            height=h,
            width=w,
            median_s=self.median_s,
            p90_s=self.p90_s,
            images_per_s=self.images_per_s,
            peak_mem_mb=self.peak_mib,
            compile_s=self.compile_s,
            gmac=None if self.macs is None else self.macs / 1e9,
            gflops=self.gflops,
            matmul_peak_fp32_gflops=None if self.peak is None else self.peak.gflops,
            pct_of_fp32_peak=self.pct_of_peak,
            matmul_peak_dtype_gflops=(
                None if self.dtype_peak is None else self.dtype_peak.gflops
            ),
            pct_of_dtype_peak=self.pct_of_dtype_peak,
            max_abs_err_vs_fp32=self.max_abs_err,
            psnr_db_vs_fp32=self.psnr_db,
        )


def check_benchmark_args(
    config: str,
    checkpoint: str | None,
    shape: tuple[int, int],
    batch: int,
    dtype: str,
    device: str,
    runs: int,
) -> None:
    """Reject bad :func:`benchmark_generator` arguments with one clear message."""
    if not osp.isfile(config):
        raise FileNotFoundError(f'config file {config} does not exist')
    if checkpoint and '://' not in checkpoint and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} does not exist')
    if dtype not in DTYPES:
        raise ConfigError(f'dtype must be one of {sorted(DTYPES)}, got {dtype!r}')
    if runs < 1 or batch < 1 or min(shape) < 1:
        raise ConfigError(
            f'runs, batch and shape must be >= 1, got runs={runs}, batch={batch}, '
            f'shape={tuple(shape)}'
        )
    if device.startswith('cuda') and not torch.cuda.is_available():
        raise ConfigError(
            f'device {device!r} asked for, but this machine has no CUDA device; '
            'use --device cpu'
        )


def generator_macs(
    gen: torch.nn.Module,
    config: str,
    shape: tuple[int, int],
    cfg_options: dict | None = None,
) -> int:
    """MACs of one batch-1 forward of ``gen`` (fp32, CPU), cached per config+size.

    Counted once by :func:`inpaintzoo.analysis.flops.count_complexity` (one traced
    forward, the scan and attention products included); later calls with the
    same config, ``cfg_options`` and ``(H, W)`` reuse the count. A batch of N
    costs N times this.

    Args:
        gen (nn.Module): The fp32 generator on the CPU, in eval mode.
        config (str): Config path (cache key).
        shape (tuple[int, int]): ``(H, W)``.
        cfg_options (dict, optional): Overrides the generator was built with.

    Returns:
        int: MACs.
    """
    key = (osp.abspath(config), repr(sorted((cfg_options or {}).items())), *shape)
    if key not in _MAC_CACHE:
        h, w = shape
        img = torch.rand(1, 3, h, w)
        mask = torch.zeros(1, 1, h, w)
        mask[..., h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = 1
        _MAC_CACHE[key] = count_complexity(gen, (img, mask)).macs
    return _MAC_CACHE[key]


def benchmark_inputs(
    shape: tuple[int, int], batch: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """The benchmark input: image uniform in [0, 1] (seed 0), centred hole.

    Args:
        shape (tuple[int, int]): ``(H, W)``.
        batch (int): N.

    Returns:
        tuple: ``img`` (N, 3, H, W) and ``mask`` (N, 1, H, W) on the CPU, the
        hole (1) half the side in each direction.
    """
    h, w = shape
    img = torch.rand(batch, 3, h, w, generator=torch.Generator().manual_seed(0))
    mask = torch.zeros(batch, 1, h, w)
    mask[..., h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = 1
    return img, mask


def time_forward(
    forward: Callable, args: tuple, warmup: int, runs: int, device: str
) -> tuple[list[float], Any, float]:
    """Time ``runs`` calls of ``forward(*args)`` after ``warmup`` untimed ones.

    Under ``torch.inference_mode``; CUDA is synchronised around every call. Peak
    memory is ``torch.cuda.max_memory_allocated`` on CUDA, the process's peak
    RSS on the CPU, both counted from the first timed call.

    Returns:
        tuple: the times (s), the last output and the peak memory (MiB).
    """
    is_cuda = device.startswith('cuda')
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            if i == warmup:
                if is_cuda:
                    torch.cuda.reset_peak_memory_stats()
                else:
                    reset_peak_rss()
            if is_cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            out = forward(*args)
            if is_cuda:
                torch.cuda.synchronize()
            if i >= warmup:
                times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() / 2**20 if is_cuda else peak_rss_mib()
    return times, out, peak


def benchmark_generator(
    config: str,
    checkpoint: str | None = None,
    shape: tuple[int, int] = (256, 256),
    batch: int = 1,
    dtype: str = 'fp32',
    device: str = 'cpu',
    warmup: int = 1,
    runs: int = 3,
    cast_weights: bool = False,
    compile: bool = False,
    count_macs: bool = True,
    peak: MatmulPeak | None = None,
    dtype_peak: MatmulPeak | None = None,
    cfg_options: dict | None = None,
) -> LatencyResult:
    """Time ``runs`` generator forwards (after ``warmup``) under inference mode.

    Inputs: ``img (N, 3, H, W)`` uniform in [0, 1] (seed 0) and a centred hole
    of half the side, ``mask (N, 1, H, W)``. ``dtype`` other than fp32 runs the
    fp32 generator under ``torch.autocast`` (or, with ``cast_weights``, converts
    weights and inputs as earlier versions did). With any numerics-changing
    option the fp32 eager output on the same input is computed first and the
    error of the benchmarked output against it is reported.

    Peak memory is ``torch.cuda.max_memory_allocated`` on CUDA and the process's
    peak RSS on CPU (which includes the weights and Python itself).

    Args:
        config (str): Config file path.
        checkpoint (str, optional): Checkpoint to load.
        shape (tuple[int, int]): ``(H, W)``.
        batch (int): Batch size N.
        dtype (str): ``'fp32'``, ``'bf16'`` or ``'fp16'``.
        device (str): Torch device.
        warmup (int): Untimed forwards (after the compile call, if any).
        runs (int): Timed forwards.
        cast_weights (bool): Convert weights and inputs to ``dtype`` instead of
            autocast.
        compile (bool): Run ``torch.compile(generator)``; the first call is
            timed separately as ``compile_s``.
        count_macs (bool): Count MACs (cached per config and size).
        peak (MatmulPeak, optional): fp32 matmul peak to compare with.
        dtype_peak (MatmulPeak, optional): ``dtype`` matmul peak.
        cfg_options (dict, optional): Config overrides.

    Raises:
        FileNotFoundError: ``config`` (or ``checkpoint``) does not exist.
        ConfigError: an unknown ``dtype``, ``runs < 1``, a non-positive shape or
            batch, or a CUDA device on a machine without CUDA.
        CompileError: ``torch.compile`` failed on this machine.
    """
    check_benchmark_args(config, checkpoint, shape, batch, dtype, device, runs)
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = MODELS.build(cfg.model)
    if checkpoint:
        load_model_checkpoint(model, checkpoint)
    gen = model.generator.eval()
    h, w = shape
    macs = (
        generator_macs(gen, config, shape, cfg_options) * batch if count_macs else None
    )
    gen = gen.to(device)
    img, mask = (t.to(device) for t in benchmark_inputs(shape, batch))
    changes_numerics = dtype != 'fp32' or compile
    is_cuda = device.startswith('cuda')
    with torch.inference_mode():
        ref = main_output(gen(img, mask)).float() if changes_numerics else None
    if cast_weights and dtype != 'fp32':
        gen = gen.to(DTYPES[dtype])
        img, mask = img.to(DTYPES[dtype]), mask.to(DTYPES[dtype])
    forward = compile_generator(gen) if compile else gen
    compile_s = None
    with torch.inference_mode(), precision_context(dtype, cast_weights, device):
        if compile:
            start = time.perf_counter()
            first_call(forward, img, mask)
            if is_cuda:
                torch.cuda.synchronize()
            compile_s = time.perf_counter() - start
        times, out, peak_mib = time_forward(forward, (img, mask), warmup, runs, device)
    error = output_error(main_output(out), ref) if ref is not None else None
    times.sort()
    return LatencyResult(
        config=config,
        device=torch.cuda.get_device_name() if is_cuda else 'cpu',
        dtype=dtype,
        shape=(batch, 3, h, w),
        median_s=statistics.median(times),
        p90_s=times[min(len(times) - 1, round(0.9 * (len(times) - 1)))],
        peak_mib=peak_mib,
        threads=torch.get_num_threads(),
        precision=precision_label(dtype, cast_weights),
        compiled=compile,
        compile_s=compile_s,
        macs=macs,
        peak=peak,
        dtype_peak=dtype_peak if dtype != 'fp32' else None,
        max_abs_err=None if error is None else error.max_abs,
        psnr_db=None if error is None else error.psnr_db,
    )


def benchmark_sweep(
    config: str,
    checkpoint: str | None = None,
    shapes: list[tuple[int, int]] | None = None,
    batch_sizes: list[int] | None = None,
    **kwargs,
) -> list[LatencyResult]:
    """:func:`benchmark_generator` for every (shape, batch size) pair.

    Args:
        config (str): Config file path.
        checkpoint (str, optional): Checkpoint to load.
        shapes (list[tuple[int, int]], optional): (H, W) sizes. Defaults to
            ``[(256, 256)]``.
        batch_sizes (list[int], optional): Batch sizes. Defaults to ``[1]``.
        **kwargs: the other keyword arguments of :func:`benchmark_generator`
            (``dtype``, ``device``, ``warmup``, ``runs``, ``compile``, ``peak``...).

    Returns:
        list[LatencyResult]: shape-major order.
    """
    return [
        benchmark_generator(config, checkpoint, tuple(shape), batch, **kwargs)
        for shape in shapes or [(256, 256)]
        for batch in batch_sizes or [1]
    ]
