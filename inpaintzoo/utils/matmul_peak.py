"""Measured matrix-multiply throughput: the reference peak of the benchmark tools.

A model's achieved GFLOP/s only means something next to what the same machine,
with the same threads, reaches on a large dense ``torch.mm``. The benchmark
tools measure that peak in the same run as the model and print the model's
throughput as a percentage of it.
"""

import statistics
import time
from dataclasses import asdict, dataclass

import torch

from inpaintzoo.utils.errors import ConfigError

#: dtype names the peak is measured for
PEAK_DTYPES = {'fp32': torch.float32, 'fp16': torch.float16, 'bf16': torch.bfloat16}


@dataclass
class MatmulPeak:
    """Throughput of a square ``torch.mm`` of side ``n``.

    Attributes:
        dtype (str): ``'fp32'``, ``'bf16'`` or ``'fp16'``.
        n (int): Matrix side (the product costs ``2 * n**3`` FLOPs).
        device (str): ``'cpu'`` or a CUDA device.
        threads (int): ``torch.get_num_threads()`` during the measurement.
        best_gflops (float): GFLOP/s of the fastest run (the reported peak).
        median_gflops (float): GFLOP/s of the median run.
        runs (int): Timed products (after the warm-up ones).
    """

    dtype: str
    n: int
    device: str
    threads: int
    best_gflops: float
    median_gflops: float
    runs: int

    @property
    def gflops(self) -> float:
        """The peak: the best run's GFLOP/s."""
        return self.best_gflops

    def line(self) -> str:
        """One line for logs."""
        return (
            f'matmul peak {self.dtype} ({self.n}x{self.n} torch.mm on {self.device}, '
            f'{self.threads} threads): {self.best_gflops:.1f} GFLOP/s best, '
            f'{self.median_gflops:.1f} median of {self.runs}'
        )

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return asdict(self)


def matmul_peak(
    dtype: str = 'fp32',
    n: int = 4096,
    device: str = 'cpu',
    warmup: int = 1,
    runs: int = 3,
) -> MatmulPeak:
    """Measure ``torch.mm`` of two random ``(n, n)`` matrices of ``dtype``.

    Uses the current ``torch.get_num_threads()`` (set threads first). The
    product's inputs are made once; ``out=`` reuses one output buffer so only the
    product is timed. On CUDA every run is synchronised.

    Args:
        dtype (str): ``'fp32'``, ``'bf16'`` or ``'fp16'``. Defaults to ``'fp32'``.
        n (int): Matrix side. Defaults to 4096 (137 GFLOP per product).
        device (str): Torch device. Defaults to ``'cpu'``.
        warmup (int): Untimed products first. Defaults to 1.
        runs (int): Timed products. Defaults to 3.

    Returns:
        MatmulPeak: best and median GFLOP/s.

    Raises:
        ConfigError: an unknown dtype, ``n < 1`` or ``runs < 1``.
    """
    if dtype not in PEAK_DTYPES:
        raise ConfigError(f'dtype must be one of {sorted(PEAK_DTYPES)}, got {dtype!r}')
    if n < 1 or runs < 1 or warmup < 0:
        raise ConfigError(
            f'n and runs must be >= 1 and warmup >= 0, got n={n}, runs={runs}, '
            f'warmup={warmup}'
        )
    torch_dtype = PEAK_DTYPES[dtype]
    gen = torch.Generator(device='cpu').manual_seed(0)
    a = torch.rand(n, n, generator=gen).to(device=device, dtype=torch_dtype)
    b = torch.rand(n, n, generator=gen).to(device=device, dtype=torch_dtype)
    out = torch.empty(n, n, device=device, dtype=torch_dtype)
    is_cuda = str(device).startswith('cuda')
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            if is_cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            torch.mm(a, b, out=out)
            if is_cuda:
                torch.cuda.synchronize()
            if i >= warmup:
                times.append(time.perf_counter() - start)
    flop = 2.0 * n**3
    return MatmulPeak(
        dtype=dtype,
        n=n,
        device=str(device),
        threads=torch.get_num_threads(),
        best_gflops=flop / min(times) / 1e9,
        median_gflops=flop / statistics.median(times) / 1e9,
        runs=runs,
    )
