"""Time an official generator against ours on the same machine, same weights.

The official code is not part of inpaintzoo; the user points at their own
checkout of the official repository (``--official-repo``). For each round, one
fresh process builds the official generator (seeded), times its forward, and
saves its weights and output; then a fresh process loads those weights through
our converter (strict), times our forward on the same input and saves its
output. The two outputs must agree (``atol``), otherwise the timings would
compare different functions and the run stops with an error.

Fairness: both sides run the generator forward only, under
``torch.inference_mode``, with the same thread count, input and mask, after the
same warm-up; each measurement is in a fresh process (within one process, the
run that comes second was seen to be ~20 % slower on this machine kind).

The official code is found, imported and patched to run on a CPU by
:mod:`inpaintzoo.apis.official_code`; what to build and call per arch is in
:mod:`inpaintzoo.apis.official_recipes`.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from inpaintzoo.apis.benchmark import benchmark_inputs, time_forward
from inpaintzoo.apis.official_code import (
    cuda_calls_stay_on_cpu,
    find_official_module,
    load_official_class,
    mamba_ssm_on_cpu,
    use_reference_scan,
)
from inpaintzoo.apis.official_recipes import get_recipe
from inpaintzoo.utils import freed_memory
from inpaintzoo.utils.errors import (
    ConfigError,
    InpaintzooError,
    MissingDependencyError,
    UntrustedPathError,
)

__all__ = [
    'OfficialComparison',
    'benchmark_against_official',
    'worker_main',
]


# ----------------------------------------------------------------- workers


def _run_official(spec: dict, folder: Path) -> dict:
    recipe = get_recipe(spec['arch'])
    patches = mamba_ssm_on_cpu() if recipe.mamba else contextlib.nullcontext()
    with patches:
        cls = load_official_class(Path(spec['module']), recipe.class_name)
        torch.manual_seed(spec['seed'])
        model = cls(**spec['kwargs']).eval().to(spec['device'])
        if (
            recipe.mamba
            and not torch.cuda.is_available()
            and not use_reference_scan(model)
        ):
            raise ConfigError(f'{spec["module"]} builds no mamba_ssm Mamba layer')
    weights = folder / 'official_weights.pt'
    if not weights.exists():
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, weights)
    image, mask = benchmark_inputs(tuple(spec['shape']), spec['batch'])
    official_args = recipe.make_inputs(image, mask, spec['kwargs'])
    args = tuple(a.to(spec['device']) for a in official_args)
    with cuda_calls_stay_on_cpu():
        times, out, peak = time_forward(
            model, args, spec['warmup'], spec['runs'], spec['device']
        )
    return dict(
        times=times,
        peak_mib=peak,
        output=out.float().cpu(),
        kept_freed_memory=freed_memory.is_kept(),
    )


def _run_ours(spec: dict, folder: Path) -> dict:
    from inpaintzoo.models.converters.equivalence import build_converted

    state_dict = torch.load(folder / 'official_weights.pt', weights_only=True)
    config = dict(constructor_kwargs=spec['kwargs'])
    model = build_converted(spec['arch'], config, state_dict).eval()
    del state_dict  # only the model's own copy stays (peak memory as official)
    model = model.to(spec['device'])
    image, mask = benchmark_inputs(tuple(spec['shape']), spec['batch'])
    args = (image.to(spec['device']), mask.to(spec['device']))
    times, out, peak = time_forward(
        model, args, spec['warmup'], spec['runs'], spec['device']
    )
    return dict(
        times=times,
        peak_mib=peak,
        output=out.float().cpu(),
        kept_freed_memory=freed_memory.is_kept(),
    )


WORKERS = {'official': _run_official, 'ours': _run_ours}


def worker_main(argv: list[str]) -> int:
    """Entry of a worker process: ``python -m ... SPEC_JSON ROLE``.

    Writes ``<role>.pt`` (times, peak memory, output) next to the spec, or
    ``<role>.error.json`` with the error's type and message.
    """
    spec_path, role = Path(argv[0]), argv[1]
    spec = json.loads(spec_path.read_text())
    folder = spec_path.parent
    if spec.get('keep_freed_memory'):
        freed_memory.keep_freed_memory()  # both sides alike, before threads
    torch.set_num_threads(spec['threads'])
    try:
        result = WORKERS[role](spec, folder)
    except InpaintzooError as err:
        error = dict(type=type(err).__name__, message=str(err))
        (folder / f'{role}.error.json').write_text(json.dumps(error))
        return 3
    torch.save(result, folder / f'{role}.pt')
    return 0


# ----------------------------------------------------------------- parent

_ERROR_TYPES = {
    cls.__name__: cls
    for cls in (ConfigError, MissingDependencyError, UntrustedPathError)
}


@dataclass
class OfficialComparison:
    """Timings of the official and our generator on the same input and weights.

    Attributes:
        official_s / ours_s (list[float]): every timed forward, all rounds.
        max_abs_diff (float): between the two outputs (float32).
        keep_freed_memory (bool): every process kept freed memory for reuse (as
            asked; False where the C library is not glibc).
    """

    arch: str
    shape: tuple[int, int]
    batch: int
    threads: int
    device: str
    kwargs: dict
    official_s: list[float] = field(default_factory=list)
    ours_s: list[float] = field(default_factory=list)
    official_peak_mib: float = 0.0
    ours_peak_mib: float = 0.0
    max_abs_diff: float = 0.0
    keep_freed_memory: bool = False

    @property
    def official_median_s(self) -> float:
        """Median official forward time (s)."""
        return statistics.median(self.official_s)

    @property
    def ours_median_s(self) -> float:
        """Median forward time of ours (s)."""
        return statistics.median(self.ours_s)

    @property
    def speedup(self) -> float:
        """Official median / our median (> 1: ours is faster)."""
        return self.official_median_s / self.ours_median_s

    def lines(self) -> list[str]:
        """Human-readable report."""
        h, w = self.shape
        case = f'{self.batch}x3x{h}x{w} fp32 on {self.device} ({self.threads} threads'
        case += ', freed memory kept)' if self.keep_freed_memory else ')'

        def times(values: list[float]) -> str:
            return ', '.join(f'{v:.3f}' for v in values)

        return [
            f'{self.arch} {case}, outputs agree to {self.max_abs_diff:.2e}',
            f'official:   median {self.official_median_s:.3f} s '
            f'[{times(self.official_s)}], peak memory {self.official_peak_mib:.0f} MiB',
            f'inpaintzoo: median {self.ours_median_s:.3f} s '
            f'[{times(self.ours_s)}], peak memory {self.ours_peak_mib:.0f} MiB',
            f'speedup: {self.speedup:.2f}x (official median / inpaintzoo median)',
        ]

    def to_dict(self) -> dict:
        """JSON-ready record with the medians and the speedup."""
        return dict(
            asdict(self),
            official_median_s=self.official_median_s,
            ours_median_s=self.ours_median_s,
            speedup=self.speedup,
        )


def _spawn(spec_path: Path, role: str) -> dict:
    folder = spec_path.parent
    cmd = [sys.executable, '-m', 'inpaintzoo.apis.official_benchmark']
    proc = subprocess.run([*cmd, str(spec_path), role], capture_output=True, text=True)
    error_file = folder / f'{role}.error.json'
    if error_file.exists():
        error = json.loads(error_file.read_text())
        raise _ERROR_TYPES.get(error['type'], ConfigError)(error['message'])
    if proc.returncode != 0:
        raise RuntimeError(
            f'the {role} benchmark process failed (exit {proc.returncode}):\n'
            f'{proc.stderr[-4000:]}'
        )
    return torch.load(folder / f'{role}.pt', weights_only=True)


def benchmark_against_official(
    arch: str,
    repo: str | os.PathLike,
    shape: tuple[int, int] = (256, 256),
    batch: int = 1,
    threads: int | None = None,
    device: str = 'cpu',
    warmup: int = 1,
    runs: int = 3,
    rounds: int = 2,
    kwargs: dict | None = None,
    seed: int = 0,
    atol: float = 1e-4,
    log: Callable[[str], None] | None = print,
    keep_freed_memory: bool = False,
) -> OfficialComparison:
    """Time the official generator and ours, alternately, each in a fresh process.

    Args:
        arch (str): ``'hint'``, ``'mxt'`` or ``'sem_net'`` (see
            :data:`OFFICIAL_RECIPES`).
        repo: the user's checkout of the official repository.
        shape (tuple[int, int]): ``(H, W)``, multiples of the recipe's stride.
        batch (int): batch size.
        threads (int, optional): CPU threads of both sides (default: torch's).
        device (str): ``'cpu'`` or a CUDA device.
        warmup (int): untimed forwards per process.
        runs (int): timed forwards per process.
        rounds (int): official-then-ours process pairs.
        kwargs (dict, optional): official constructor kwargs (default: the
            official defaults, i.e. the paper-size model).
        seed (int): ``torch.manual_seed`` before building the official model.
        atol (float): largest allowed max abs difference of the outputs.
        log (Callable, optional): progress lines.
        keep_freed_memory (bool): both worker processes keep freed memory for
            reuse (:mod:`inpaintzoo.utils.freed_memory`; the tool's default, as
            in the ``inpaintzoo`` commands), else glibc's defaults in both.

    Raises:
        ConfigError: unsupported arch, bad shape/counts, or the outputs differ by
            more than ``atol`` (the checkout is not the function our converter
            maps, so the timings would not be comparable).
        FileNotFoundError / UntrustedPathError / MissingDependencyError: see
            :func:`find_official_module` and :func:`load_official_class`.
    """
    from inpaintzoo.models.converters import get_official_converter

    recipe = get_recipe(arch)
    h, w = shape
    if min(h, w, batch, runs, rounds) < 1 or warmup < 0:
        raise ConfigError('shape, batch, runs and rounds must be positive')
    if h % recipe.stride or w % recipe.stride:
        raise ConfigError(
            f'the official {recipe.class_name} needs H and W multiples of '
            f'{recipe.stride} (it does not pad), got {h}x{w}'
        )
    if device.startswith('cuda') and not torch.cuda.is_available():
        raise ConfigError(f'device {device!r} asked for, but CUDA is not available')
    module = find_official_module(repo, arch)
    converter = get_official_converter(arch)
    merged = converter.merge_kwargs(kwargs or {})
    threads = threads or torch.get_num_threads()
    # keep_freed_memory: as asked, then as far as every worker process could
    result = OfficialComparison(
        arch, (h, w), batch, threads, device, merged,
        keep_freed_memory=keep_freed_memory,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix='inpaintzoo-official-') as tmp:
        spec_path = Path(tmp) / 'spec.json'
        spec = dict(
            arch=arch,
            module=str(module),
            kwargs=merged,
            shape=[h, w],
            batch=batch,
            threads=threads,
            device=device,
            warmup=warmup,
            runs=runs,
            seed=seed,
            keep_freed_memory=keep_freed_memory,
        )
        spec_path.write_text(json.dumps(spec))
        for r in range(rounds):
            official = _spawn(spec_path, 'official')
            ours = _spawn(spec_path, 'ours')
            result.official_s += official['times']
            result.ours_s += ours['times']
            result.keep_freed_memory &= official['kept_freed_memory']
            result.keep_freed_memory &= ours['kept_freed_memory']
            result.official_peak_mib = max(
                result.official_peak_mib, official['peak_mib']
            )
            result.ours_peak_mib = max(result.ours_peak_mib, ours['peak_mib'])
            diff = (official['output'] - ours['output']).abs().max().item()
            result.max_abs_diff = max(result.max_abs_diff, diff)
            if not diff <= atol:
                raise ConfigError(
                    f'the official and our outputs differ by {diff:.3g} (> {atol:g}): '
                    f'{module} does not compute what the {arch} converter maps, '
                    'so its timings are not comparable'
                )
            if log:
                log(
                    f'round {r + 1}/{rounds}: official '
                    f'{statistics.median(official["times"]):.3f} s, inpaintzoo '
                    f'{statistics.median(ours["times"]):.3f} s'
                )
    return result


if __name__ == '__main__':
    sys.exit(worker_main(sys.argv[1:]))
