"""CPU benchmark of the selective scan: sequential oracle vs chunked fast path.

Every measurement runs in a fresh subprocess so that its peak resident memory
(``ru_maxrss`` minus the RSS after the inputs were built) is its own. Example::

    python tools/analysis/benchmark_selective_scan.py --threads 2
    python tools/analysis/benchmark_selective_scan.py --lengths 4096 --impls chunked
"""

import argparse
import json
import resource
import subprocess
import sys
import time

IMPLS = ('reference', 'chunked')
MODES = ('fwd', 'fwd+bwd')


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
    parser.add_argument('--worker', help=argparse.SUPPRESS)  # internal: one JSON case
    return parser.parse_args(argv)


def _rss_mib() -> float:
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def run_case(case: dict) -> dict:
    """Time one (impl, length, mode) case in this process; returns seconds and MiB."""
    import torch

    from inpaintzoo.models.ssm import selective_scan_chunked, selective_scan_sequential

    torch.set_num_threads(case['threads'])
    dtype = getattr(torch, case['dtype'])
    g = torch.Generator().manual_seed(0)
    b, d, n, length = case['batch'], case['dim'], case['state'], case['length']
    grad = case['mode'] == 'fwd+bwd'
    tensors = {
        'u': torch.randn(b, d, length, generator=g, dtype=dtype),
        'delta': torch.randn(b, d, length, generator=g, dtype=dtype) * 0.5 - 2,
        'A': -torch.arange(1, n + 1, dtype=dtype).repeat(d, 1),
        'B': torch.randn(b, n, length, generator=g, dtype=dtype),
        'C': torch.randn(b, n, length, generator=g, dtype=dtype),
        'D': torch.ones(d, dtype=dtype),
        'z': torch.randn(b, d, length, generator=g, dtype=dtype),
    }
    for t in tensors.values():
        t.requires_grad_(grad)
    fn = (
        selective_scan_chunked
        if case['impl'] == 'chunked'
        else selective_scan_sequential
    )
    base = _rss_mib()
    best = float('inf')
    for _ in range(case['repeat']):
        for t in tensors.values():
            t.grad = None
        start = time.perf_counter()
        with torch.set_grad_enabled(grad):
            out = fn(**tensors, delta_softplus=True)
            if grad:
                out.sum().backward()
        best = min(best, time.perf_counter() - start)
        del out
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {'seconds': best, 'peak_extra_mib': max(0.0, peak - base)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(run_case(json.loads(args.worker))))
        return 0
    print(
        f'selective scan, B={args.batch} D={args.dim} N={args.state} {args.dtype}, '
        f'{args.threads} thread(s), best of {args.repeat}'
    )
    header = (
        f'{"L":>7} {"mode":>8} {"impl":>10} {"time (s)":>10} '
        f'{"peak+ (MiB)":>12} {"speed-up":>9}'
    )
    print(header)
    print('-' * len(header), flush=True)
    for length in args.lengths:
        for mode in args.modes:
            times = {}
            for impl in args.impls:
                if (
                    impl == 'reference'
                    and mode == 'fwd+bwd'
                    and length > args.max_oracle_grad_length
                ):
                    print(f'{length:>7} {mode:>8} {impl:>10}  skipped (too slow)')
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
                    err = proc.stderr[-300:]
                    print(f'{length:>7} {mode:>8} {impl:>10}  failed: {err}')
                    continue
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                times[impl] = res['seconds']
                speed = ''
                if impl != 'reference' and 'reference' in times:
                    speed = f'{times["reference"] / res["seconds"]:.1f}x'
                print(
                    f'{length:>7} {mode:>8} {impl:>10} {res["seconds"]:>10.3f} '
                    f'{res["peak_extra_mib"]:>12.0f} {speed:>9}',
                    flush=True,
                )
    return 0


if __name__ == '__main__':
    sys.exit(main())
