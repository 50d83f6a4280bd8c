"""Latency and peak-memory measurement of a config's generator."""

import statistics
import time
from dataclasses import dataclass

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.registry import MODELS

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


def _peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux ``VmHWM``), in MiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def _reset_peak_rss() -> None:
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


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
    """
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
                    _reset_peak_rss()
            if is_cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            gen(img, mask)
            if is_cuda:
                torch.cuda.synchronize()
            if i >= warmup:
                times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() / 2**20 if is_cuda else _peak_rss_mib()
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
