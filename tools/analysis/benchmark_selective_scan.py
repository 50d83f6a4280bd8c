"""CPU benchmark of the selective scan: sequential oracle, chunked and fused paths.

Every (impl, length, mode) case runs in a fresh subprocess so that its peak
resident memory (``ru_maxrss`` minus the RSS after the inputs were built) is its
own. Each case first makes one untimed call on a tiny input, so the fused C
kernel is compiled and loaded (and every path's first-call set-up is done) before
anything is timed. The parent builds the kernel once up front and prints which
library, flags and threading it uses. Example::

    python tools/analysis/benchmark_selective_scan.py --threads 2
    python tools/analysis/benchmark_selective_scan.py --lengths 4096 --impls fused
    python tools/analysis/benchmark_selective_scan.py --markdown   # doc table
    python tools/analysis/benchmark_selective_scan.py --compare-build --impls fused

``--compare-build`` first times a cold build of the kernel with inpaintzoo's loader
(system C compiler + ctypes) and with ``torch.utils.cpp_extension.load`` (the same
source compiled as C++ with ninja), each into a fresh temporary folder, and the
fused forward at L = 16,384 with either library (the reason for the choice made
in ``docs/ssm.md``).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPLS = ('reference', 'chunked', 'fused')
MODES = ('fwd', 'fwd+bwd')
WARMUP_LENGTH = 64
SPEEDUPS = (('chunked', 'reference'), ('fused', 'reference'), ('fused', 'chunked'))
SHORT = {'reference': 'ref', 'chunked': 'chunked', 'fused': 'fused'}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lengths', type=int, nargs='+', default=[4096, 16384, 65536])
    parser.add_argument('--dim', type=int, default=96, help='d_inner (channels D)')
    parser.add_argument('--state', type=int, default=16, help='state size N')
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    parser.add_argument('--repeat', type=int, default=2, help='best of this many runs')
    parser.add_argument('--impls', nargs='+', choices=IMPLS, default=list(IMPLS))
    parser.add_argument('--modes', nargs='+', choices=MODES, default=list(MODES))
    parser.add_argument('--dtype', choices=('float32', 'float64'), default='float32')
    parser.add_argument(
        '--max-oracle-grad-length',
        type=int,
        default=4096,
        help='skip the oracle fwd+bwd above this L (its autograd graph has 7L '
        'nodes and needs ~0.1 MiB per step at D=96: minutes and GiBs)',
    )
    parser.add_argument(
        '--markdown', action='store_true', help='also print a Markdown table at the end'
    )
    parser.add_argument(
        '--compare-build',
        action='store_true',
        help='time cold builds (ctypes loader vs torch.utils.cpp_extension.load) '
        'and the kernel speed of both libraries',
    )
    parser.add_argument('--worker', help=argparse.SUPPRESS)  # internal: one JSON case
    return parser.parse_args(argv)


def _rss_mib() -> float:
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _scan_fn(impl: str):
    from inpaintzoo.models.ssm import selective_scan_chunked, selective_scan_sequential
    from inpaintzoo.models.ssm.scan_fused import selective_scan_fused

    return {
        'reference': selective_scan_sequential,
        'chunked': selective_scan_chunked,
        'fused': selective_scan_fused,
    }[impl]


def _make_inputs(case: dict, length: int, grad: bool) -> dict:
    import torch

    dtype = getattr(torch, case['dtype'])
    g = torch.Generator().manual_seed(0)
    b, d, n = case['batch'], case['dim'], case['state']

    def seq(channels: int, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
        # (b, channels, L) as a transposed view of (b, L, channels), the layout
        # MambaBlock hands to the scan (nn.Linear outputs are channels-last)
        x = torch.randn(b, length, channels, generator=g, dtype=dtype) * scale + shift
        return x.requires_grad_(grad).transpose(1, 2)

    tensors = {
        'u': seq(d),
        'delta': seq(d, 0.5, -2.0),
        'A': -torch.arange(1, n + 1, dtype=dtype).repeat(d, 1).requires_grad_(grad),
        'B': seq(n),
        'C': seq(n),
        'D': torch.ones(d, dtype=dtype).requires_grad_(grad),
        'z': seq(d),
    }
    return tensors


def _call(fn, tensors: dict, grad: bool) -> None:
    import torch

    with torch.set_grad_enabled(grad):
        out = fn(**tensors, delta_softplus=True)
        if grad:
            out.sum().backward()


def run_case(case: dict) -> dict:
    """Time one (impl, length, mode) case in this process; returns seconds and MiB."""
    import torch

    torch.set_num_threads(case['threads'])
    grad = case['mode'] == 'fwd+bwd'
    fn = _scan_fn(case['impl'])
    # untimed warm-up on a tiny input: builds/loads the fused kernel (first use)
    # and does every path's one-off set-up outside the measurement
    _call(fn, _make_inputs(case, WARMUP_LENGTH, grad), grad)
    tensors = _make_inputs(case, case['length'], grad)
    base = _rss_mib()
    best = float('inf')
    for _ in range(case['repeat']):
        for t in tensors.values():
            if t.is_leaf:
                t.grad = None
            elif t._base is not None:  # transposed view of a leaf
                t._base.grad = None
        start = time.perf_counter()
        _call(fn, tensors, grad)
        best = min(best, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {'seconds': best, 'peak_extra_mib': max(0.0, peak - base)}


def describe_kernel() -> str:
    """Build/load the fused kernel once (cached on disk) and describe it."""
    from inpaintzoo.models.ssm import cpu_kernel

    start = time.perf_counter()
    lib = cpu_kernel.load_kernel()
    took = time.perf_counter() - start
    if lib is None:
        return 'fused kernel: NOT available (no compiler or build failed, see warning)'
    flags = getattr(lib, 'build_flags', None)
    cc = cpu_kernel._compiler() or ['?']
    return (
        f'fused kernel: {getattr(lib, "path", lib._name)} (SHA-256 verified)\n'
        f'  compiler {cpu_kernel._compiler_version(cc) or cc[0]}, flags '
        f'{" ".join(flags) if flags else "(unknown)"}\n'
        f'  OpenMP {"yes" if lib.scan_has_openmp() else "no (single thread)"}, '
        f'{lib.scan_vector_width()} channels per task, N <= {lib.scan_max_state()}; '
        f'build/load took {took:.1f} s (not timed below)'
    )


def _forward_seconds(lib, length: int = 16384, repeat: int = 5) -> float:
    """Best fused forward time (B=1, D=96, N=16, float32) running ``lib``."""
    import torch

    from inpaintzoo.models.ssm import scan_fused

    case = dict(batch=1, dim=96, state=16, dtype='float32')
    tensors = _make_inputs(case, length, grad=False)
    real = scan_fused.load_kernel
    scan_fused.load_kernel = lambda: lib
    try:
        best = float('inf')
        for _ in range(repeat):
            with torch.no_grad():
                start = time.perf_counter()
                scan_fused.selective_scan_fused(**tensors, delta_softplus=True)
                best = min(best, time.perf_counter() - start)
    finally:
        scan_fused.load_kernel = real
    return best


def compare_builds() -> str:
    """Cold build time and kernel speed: ctypes loader vs cpp_extension.load."""
    import ctypes

    from torch.utils import cpp_extension

    from inpaintzoo.models.ssm import cpu_kernel, kernel_abi

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get(cpu_kernel.KERNEL_DIR_ENV)
        os.environ[cpu_kernel.KERNEL_DIR_ENV] = str(Path(tmp) / 'ctypes')
        cpu_kernel.load_kernel.cache_clear()
        try:
            start = time.perf_counter()
            ours = cpu_kernel.load_kernel()
            ours_s = time.perf_counter() - start
        finally:
            if old is None:
                os.environ.pop(cpu_kernel.KERNEL_DIR_ENV)
            else:
                os.environ[cpu_kernel.KERNEL_DIR_ENV] = old
            cpu_kernel.load_kernel.cache_clear()
        if ours is None:
            return 'compare-build: the kernel does not build here (see the warning)'
        wrapper = Path(tmp) / 'selective_scan_cpu_ext.cpp'
        wrapper.write_text(f'extern "C" {{\n#include "{kernel_abi.SOURCE}"\n}}\n')
        flags = [f for f in ours.build_flags if f not in ('-shared', '-fPIC')]
        flags = [f for f in flags if not f.startswith('-std=')]
        build_dir = Path(tmp) / 'cpp_extension'
        build_dir.mkdir()
        start = time.perf_counter()
        cpp_extension.load(
            'selective_scan_cpu_ext',
            [str(wrapper)],
            extra_cflags=flags,
            extra_ldflags=['-fopenmp'] if '-fopenmp' in flags else [],
            build_directory=str(build_dir),
            is_python_module=False,
        )
        ext_s = time.perf_counter() - start
        ext = kernel_abi.configure(
            ctypes.CDLL(str(build_dir / 'selective_scan_cpu_ext.so'))
        )
        lines.append(
            f'cold build + load: ctypes loader {ours_s:.1f} s, '
            f'cpp_extension.load {ext_s:.1f} s'
        )
        lines.append(
            'fused forward L=16384 (best of 5): ctypes-loaded library '
            f'{_forward_seconds(ours) * 1e3:.1f} ms, cpp_extension library '
            f'{_forward_seconds(ext) * 1e3:.1f} ms'
        )
    return '\n'.join(lines)


def _fmt_s(x: float | None) -> str:
    if x is None:
        return '—'
    return f'{x:.3g}' if x < 100 else f'{x:.0f}'


def _fmt_mib(x: float | None) -> str:
    return '—' if x is None else f'{x:,.0f}'


def _speedups(res: dict) -> list[str]:
    out = []
    for fast, slow in SPEEDUPS:
        if fast in res and slow in res:
            ratio = res[slow]['seconds'] / res[fast]['seconds']
            out.append(f'{ratio:.1f}x' if ratio < 100 else f'{ratio:,.0f}x')
        else:
            out.append('—')
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(run_case(json.loads(args.worker))))
        return 0
    impls = [i for i in IMPLS if i in args.impls]
    speed_cols = [(f, s) for f, s in SPEEDUPS if f in impls and s in impls]
    print(
        f'selective scan, B={args.batch} D={args.dim} N={args.state} {args.dtype}, '
        f'{args.threads} thread(s), best of {args.repeat}; "peak+" = peak RSS above '
        'the RSS after the inputs were built'
    )
    if 'fused' in impls:
        print(describe_kernel())
    if args.compare_build:
        print(compare_builds(), flush=True)
    cols = [f'{"L":>7}', f'{"mode":>8}']
    for impl in impls:
        cols += [f'{SHORT[impl] + " s":>10}', f'{SHORT[impl] + " MiB":>11}']
    cols += [f'{SHORT[f] + "/" + SHORT[s]:>14}' for f, s in speed_cols]
    header = ' '.join(cols)
    print(header)
    print('-' * len(header), flush=True)
    rows = []
    for length in args.lengths:
        for mode in args.modes:
            res, notes = {}, []
            for impl in impls:
                if (
                    impl == 'reference'
                    and mode == 'fwd+bwd'
                    and length > args.max_oracle_grad_length
                ):
                    notes.append(
                        f'reference {mode} skipped (L > --max-oracle-grad-length '
                        f'{args.max_oracle_grad_length}: too slow)'
                    )
                    continue
                case = dict(
                    impl=impl, mode=mode, length=length, batch=args.batch, dim=args.dim,
                    state=args.state, threads=args.threads, repeat=args.repeat,
                    dtype=args.dtype,
                )  # fmt: skip
                proc = subprocess.run(
                    [sys.executable, __file__, '--worker', json.dumps(case)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode:
                    notes.append(f'{impl} failed: {proc.stderr.strip()[-300:]}')
                    continue
                res[impl] = json.loads(proc.stdout.strip().splitlines()[-1])
            cells = [f'{length:>7}', f'{mode:>8}']
            for impl in impls:
                r = res.get(impl)
                cells += [
                    f'{_fmt_s(r and r["seconds"]):>10}',
                    f'{_fmt_mib(r and r["peak_extra_mib"]):>11}',
                ]
            spd = dict(zip(SPEEDUPS, _speedups(res), strict=True))
            cells += [f'{spd[c]:>14}' for c in speed_cols]
            print(' '.join(cells), flush=True)
            for note in notes:
                print(f'  {note}', flush=True)
            rows.append((length, mode, res, [spd[c] for c in speed_cols]))
    if args.markdown:
        head = ['L', 'mode']
        head += [f'{SHORT[i]} (s)' for i in impls]
        head += [f'{SHORT[i]} peak+ (MiB)' for i in impls]
        head += [f'{SHORT[f]} / {SHORT[s]}' for f, s in speed_cols]
        print()
        print('| ' + ' | '.join(head) + ' |')
        print('|' + '|'.join(['---:', '---'] + ['---:'] * (len(head) - 2)) + '|')
        for length, mode, res, spd in rows:
            cells = [f'{length:,}', mode]
            cells += [_fmt_s(res[i]['seconds']) if i in res else '—' for i in impls]
            cells += [
                _fmt_mib(res[i]['peak_extra_mib']) if i in res else '—' for i in impls
            ]
            cells += [s.replace('x', '×') for s in spd]
            print('| ' + ' | '.join(cells) + ' |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
