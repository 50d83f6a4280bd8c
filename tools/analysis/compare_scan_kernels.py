"""The fused CPU scan kernel of a git revision against the current one, in one run.

Speeds on these machines spread by ±20 % between runs, so a kernel change is
judged by timing both libraries in the same process, interleaved (A, B, A, B,
...), and keeping the best time of each. The base revision's kernel source
(``inpaintzoo/models/ssm/csrc/``) is read with ``git show`` and compiled with the
flags of the current build into a private temporary folder; only the selective
scan is swapped (the 2-D kernels of the same library stay the current ones).
Example::

    python tools/analysis/compare_scan_kernels.py --base HEAD~1
    python tools/analysis/compare_scan_kernels.py --base HEAD~1 --threads 1 \
        --configs configs/mxt/mxt_places2.py configs/sem_net/sem_places2.py

Prints, per case, the best wall time and CPU time of each library, their ratio
(base / current: above 1 means the current kernel is faster) and the largest
difference between the two outputs (relative to the largest output value).
"""

import argparse
import ctypes
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

from inpaintzoo.apis.cli import run_cli
from inpaintzoo.apis.tool_options import add_threads_argument, set_threads
from inpaintzoo.models.ssm import cpu_kernel, scan_fused
from inpaintzoo.models.ssm.kernel_abi import configure
from inpaintzoo.utils import ConfigError

CSRC = 'inpaintzoo/models/ssm/csrc'
REPO = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--base', required=True, help='git revision whose kernel is the baseline'
    )
    parser.add_argument(
        '--length', type=int, default=65536, help='scan length L (256² = 65,536)'
    )
    parser.add_argument('--dim', type=int, default=96, help='channels D')
    parser.add_argument('--state', type=int, default=16, help='state size N')
    parser.add_argument(
        '--repeat', type=int, default=8, help='best of this many runs per library'
    )
    parser.add_argument(
        '--configs',
        nargs='*',
        default=[],
        help='also time the generator forward of these configs (random weights)',
    )
    parser.add_argument(
        '--shape', type=int, nargs=2, default=(256, 256), metavar=('H', 'W')
    )
    add_threads_argument(parser)
    return parser.parse_args(argv)


def build_base(revision: str, flags: tuple[str, ...], folder: Path) -> ctypes.CDLL:
    """Compile the kernel source of ``revision`` with ``flags`` into ``folder``."""
    listing = subprocess.run(
        ['git', '-C', str(REPO), 'ls-tree', '--name-only', f'{revision}:{CSRC}'],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise ConfigError(
            f'--base {revision}: no kernel source there ({listing.stderr.strip()})'
        )
    for name in listing.stdout.split():
        text = subprocess.run(
            ['git', '-C', str(REPO), 'show', f'{revision}:{CSRC}/{name}'],
            capture_output=True,
            check=True,
        ).stdout
        (folder / name).write_bytes(text)
    library = folder / 'base.so'
    cmd = [
        *(cpu_kernel._compiler() or ['cc']),
        *flags,
        str(folder / 'selective_scan_cpu.c'),
        '-o',
        str(library),
        '-lm',
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise ConfigError(
            f'the base kernel did not compile: {shlex.join(cmd)}\n{out.stderr[-1500:]}'
        )
    try:
        return configure(ctypes.CDLL(str(library)))
    except (OSError, AttributeError, RuntimeError) as err:
        raise ConfigError(
            f'the kernel of {revision} does not match the current ABI '
            f'(inpaintzoo/models/ssm/kernel_abi.py): {err}'
        ) from err


def scan_case(length: int, dim: int, state: int, grad: bool) -> Callable[[], tuple]:
    """A scan call on fixed random inputs (MambaBlock's channels-last layout)."""
    g = torch.Generator().manual_seed(0)

    def seq(channels: int, scale: float = 1.0) -> torch.Tensor:
        return (torch.randn(1, length, channels, generator=g) * scale).transpose(1, 2)

    u, delta, z = seq(dim), seq(dim, 0.5), seq(dim)
    b, c = seq(state), seq(state)
    a = -torch.exp(torch.randn(dim, state, generator=g))
    skip, bias = torch.randn(dim, generator=g), torch.randn(dim, generator=g) * 0.1

    def run() -> tuple:
        if not grad:
            with torch.no_grad():
                y = scan_fused.selective_scan_fused(
                    u, delta, a, b, c, skip, z, bias, True
                )
            return (y,)
        leaves = [t.detach().clone().requires_grad_() for t in (u, delta, b, c)]
        y = scan_fused.selective_scan_fused(
            leaves[0], leaves[1], a, leaves[2], leaves[3], skip, z, bias, True
        )
        y.sum().backward()
        return (y.detach(), *(t.grad for t in leaves))

    return run


def model_case(config: str, shape: tuple[int, int]) -> Callable[[], tuple]:
    """A generator forward of ``config`` (random weights) under inference mode.

    The input is that of ``tools/analysis/benchmark_latency.py`` (a centred hole).
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from inpaintzoo.apis.benchmark import benchmark_inputs
    from inpaintzoo.apis.benchmark_numerics import main_output
    from inpaintzoo.registry import MODELS

    init_default_scope('inpaintzoo')
    generator = MODELS.build(Config.fromfile(config).model).generator.eval()
    img, mask = benchmark_inputs(tuple(shape))

    def run() -> tuple:
        with torch.inference_mode():
            return (main_output(generator(img, mask)),)

    return run


def compare(name: str, run: Callable[[], tuple], libs: dict, repeat: int) -> None:
    """Time ``run`` with each library, interleaved; print times, ratio, difference."""
    wall = dict.fromkeys(libs, float('inf'))
    cpu = dict.fromkeys(libs, float('inf'))
    outputs = {}
    for _ in range(repeat):
        for key, lib in libs.items():
            scan_fused.load_kernel = lambda lib=lib: lib
            t0, c0 = time.perf_counter(), time.process_time()
            outputs[key] = run()
            wall[key] = min(wall[key], time.perf_counter() - t0)
            cpu[key] = min(cpu[key], time.process_time() - c0)
    diff = max(
        ((a - b).abs().max() / a.abs().max().clamp_min(1e-30)).item()
        for a, b in zip(outputs['base'], outputs['current'])
    )
    print(
        f'{name:<44} wall {wall["base"]:8.4f} -> {wall["current"]:8.4f} s '
        f'({wall["base"] / wall["current"]:.3f}x)   cpu {cpu["base"]:8.4f} -> '
        f'{cpu["current"]:8.4f} s ({cpu["base"] / cpu["current"]:.3f}x)   '
        f'max rel. diff {diff:.1e}'
    )


def main() -> None:
    args = parse_args()
    set_threads(args.threads)
    current = cpu_kernel.load_kernel()
    if current is None:
        raise ConfigError('the fused CPU kernel is not available here (see warning)')
    with tempfile.TemporaryDirectory(prefix='inpaintzoo-base-kernel-') as tmp:
        base = build_base(args.base, tuple(current.build_flags), Path(tmp))
        libs = {'base': base, 'current': current}
        print(
            f'base: {args.base} (built with {" ".join(current.build_flags)}); '
            f'current: {current.path}; {torch.get_num_threads()} thread(s), '
            f'best of {args.repeat}'
        )
        cases = [
            (
                f'scan L={args.length} D={args.dim} N={args.state} {mode}',
                scan_case(args.length, args.dim, args.state, mode == 'fwd+bwd'),
            )
            for mode in ('fwd', 'fwd+bwd')
        ]
        cases += [
            (
                f'{Path(c).stem} {args.shape[0]}x{args.shape[1]} forward',
                model_case(c, args.shape),
            )
            for c in args.configs
        ]
        loader = scan_fused.load_kernel
        try:
            for name, run in cases:
                run()  # warm-up (first-call set-up of either path)
                compare(name, run, libs, args.repeat)
        finally:
            scan_fused.load_kernel = loader


if __name__ == '__main__':
    run_cli(main)
