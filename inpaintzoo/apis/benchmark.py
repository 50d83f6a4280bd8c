"""Latency and peak-memory measurement of a config's generator."""

import os.path as osp
import statistics
import time
from dataclasses import dataclass

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.memory import peak_rss_mib, reset_peak_rss

DTYPES = {'fp32': torch.float32, 'fp16': torch.float16, 'bf16': torch.bfloat16}


@dataclass
class LatencyResult:
    """Timings in seconds and peak memory in MiB of one benchmark."""

    config: str
    device: str
    dtype: str
    shape: tuple[int, int, int, int]
    median_s: float
    p90_s: float
    peak_mib: float
    threads: int

    def line(self) -> str:
        """One line for logs and metafiles."""
        n, _, h, w = self.shape
        return (
            f'{self.config}: {n}x3x{h}x{w} {self.dtype} on {self.device} '
            f'({self.threads} threads): median {self.median_s:.3f} s, '
            f'p90 {self.p90_s:.3f} s, peak memory {self.peak_mib:.0f} MiB '
            '(generator forward only, no pre/post-processing)'
        )

    @property
    def images_per_s(self) -> float:
        """Throughput: batch size / median forward time."""
        return self.shape[0] / self.median_s

    def to_dict(self) -> dict:
        """JSON-ready record; ``peak_mem_mb`` is in MiB (2**20 bytes)."""
        n, _, h, w = self.shape
        return dict(
            config=self.config,
            device=self.device,
            dtype=self.dtype,
            threads=self.threads,
            batch=n,
            height=h,
            width=w,
            median_s=self.median_s,
            p90_s=self.p90_s,
            images_per_s=self.images_per_s,
            peak_mem_mb=self.peak_mib,
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


def benchmark_generator(
    config: str,
    checkpoint: str | None = None,
    shape: tuple[int, int] = (256, 256),
    batch: int = 1,
    dtype: str = 'fp32',
    device: str = 'cpu',
    warmup: int = 1,
    runs: int = 3,
) -> LatencyResult:
    """Time ``runs`` generator forwards (after ``warmup``) under inference mode.

    Peak memory is ``torch.cuda.max_memory_allocated`` on CUDA and the process's
    peak RSS on CPU (which includes the weights and Python itself).

    Raises:
        FileNotFoundError: ``config`` (or ``checkpoint``) does not exist.
        ConfigError: an unknown ``dtype``, ``runs < 1``, a non-positive shape or
            batch, or a CUDA device on a machine without CUDA.
    """
    check_benchmark_args(config, checkpoint, shape, batch, dtype, device, runs)
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    if checkpoint:
        load_model_checkpoint(model, checkpoint)
    gen = model.generator.to(device=device, dtype=DTYPES[dtype]).eval()
    h, w = shape
    img = torch.rand(batch, 3, h, w, device=device, dtype=DTYPES[dtype])
    mask = torch.zeros(batch, 1, h, w, device=device, dtype=DTYPES[dtype])
    mask[..., h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = 1
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
            gen(img, mask)
            if is_cuda:
                torch.cuda.synchronize()
            if i >= warmup:
                times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() / 2**20 if is_cuda else peak_rss_mib()
    times.sort()
    return LatencyResult(
        config=config,
        device=torch.cuda.get_device_name() if is_cuda else 'cpu',
        dtype=dtype,
        shape=(batch, 3, h, w),
        median_s=statistics.median(times),
        p90_s=times[min(len(times) - 1, round(0.9 * (len(times) - 1)))],
        peak_mib=peak,
        threads=torch.get_num_threads(),
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
        **kwargs: ``dtype``, ``device``, ``warmup``, ``runs`` of
            :func:`benchmark_generator`.

    Returns:
        list[LatencyResult]: shape-major order.
    """
    return [
        benchmark_generator(config, checkpoint, tuple(shape), batch, **kwargs)
        for shape in shapes or [(256, 256)]
        for batch in batch_sizes or [1]
    ]
