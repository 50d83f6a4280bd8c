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

Running the official code on a CPU: its mask-aware down-sampler allocates a
buffer with ``.cuda()``; in the official process only (never in the caller's),
``torch.Tensor.cuda`` returns the tensor itself on a machine without CUDA, as the
golden fixtures were made (``shared/reference/hint/config.json``, cpu_patches).

Code is imported only from a checkout owned by the user and not writable by
group or others (the rule of the kernel cache, ``docs/ssm.md``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from inpaintzoo.apis.benchmark import benchmark_inputs, time_forward
from inpaintzoo.utils.errors import (
    ConfigError,
    InpaintzooError,
    MissingDependencyError,
    UntrustedPathError,
)

__all__ = [
    'OFFICIAL_RECIPES',
    'OfficialComparison',
    'OfficialRecipe',
    'benchmark_against_official',
    'find_official_module',
]


def hint_official_inputs(image: torch.Tensor, mask: torch.Tensor) -> tuple:
    """Official HINT test-time inputs (``src/models.py``) from image and mask.

    Args:
        image (Tensor): ``(N, 3, H, W)`` in [0, 1].
        mask (Tensor): ``(N, 1, H, W)``, 1 = hole; H and W multiples of 8.

    Returns:
        tuple: ``inp_img`` (holes set to 1), ``mask_whole`` and the mask at 1/2,
        1/4, 1/8 size (nearest).
    """
    h, w = mask.shape[-2:]
    scaled = [
        F.interpolate(mask, size=[h // s, w // s], mode='nearest') for s in (2, 4, 8)
    ]
    return (image * (1 - mask) + mask, mask, *scaled)


@dataclass(frozen=True)
class OfficialRecipe:
    """How to find, build and call one official generator.

    Attributes:
        arch (str): converter name (``inpaintzoo.models.converters``).
        module_files (tuple[str, ...]): where the generator's module may lie in
            the checkout, tried in order.
        class_name (str): the generator class in that module.
        make_inputs (Callable): ``(image, mask) -> official forward args``.
        stride (int): H and W must be multiples of this (no padding there).
    """

    arch: str
    module_files: tuple[str, ...]
    class_name: str
    make_inputs: Callable[[torch.Tensor, torch.Tensor], tuple]
    stride: int


#: archs whose official code runs here. MxT and SEM-Net are not listed: their
#: official generators import ``mamba_ssm``, which cannot be imported without a
#: CUDA build (reference-models §3).
OFFICIAL_RECIPES: dict[str, OfficialRecipe] = {
    'hint': OfficialRecipe(
        'hint', ('src/networks.py', 'networks.py'), 'HINT', hint_official_inputs, 8
    ),
}


def get_recipe(arch: str) -> OfficialRecipe:
    """The recipe of ``arch``; ConfigError naming the supported archs otherwise."""
    if arch not in OFFICIAL_RECIPES:
        raise ConfigError(
            f'no official-code benchmark for arch {arch!r}; supported: '
            f'{sorted(OFFICIAL_RECIPES)} (MxT and SEM-Net import mamba_ssm, which '
            'needs CUDA)'
        )
    return OFFICIAL_RECIPES[arch]


def find_official_module(repo: str | os.PathLike, arch: str) -> Path:
    """The official generator module in a checkout, after the ownership checks.

    Args:
        repo: the checkout's root folder.
        arch (str): ``'hint'``.

    Returns:
        Path: the module file (resolved).

    Raises:
        FileNotFoundError: no folder, or none of the recipe's module files in it.
        UntrustedPathError: the folder or the file is not the user's own, or is
            writable by group/others.
    """
    from inpaintzoo.models.ssm.kernel_cache import check_owned

    recipe = get_recipe(arch)
    root = Path(repo).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f'official checkout {root} is not a folder')
    check_owned(root, 'official checkout')
    for name in recipe.module_files:
        path = root / name
        if path.is_file():
            check_owned(path.parent, 'official code folder')
            check_owned(path, 'official code file')
            return path.resolve()
    raise FileNotFoundError(
        f'{root} has none of {list(recipe.module_files)}: is it a checkout of the '
        f'official {recipe.class_name} repository?'
    )


def load_official_class(path: Path, class_name: str) -> type:
    """Import the module at ``path`` (its folder on ``sys.path``) and get the class.

    Raises:
        MissingDependencyError: the module imports a package that is missing.
        ConfigError: the module has no such class.
    """
    name = f'_inpaintzoo_official_{path.stem}'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as err:
        raise MissingDependencyError(
            f'the official code {path} imports {err.name!r}, which is not installed '
            f'here (pip install {err.name})'
        ) from err
    finally:
        sys.path.remove(str(path.parent))
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ConfigError(f'{path} defines no class {class_name!r}')
    return cls


@contextlib.contextmanager
def cuda_calls_stay_on_cpu() -> Iterator[None]:
    """Inside: ``tensor.cuda()`` returns the tensor on a machine without CUDA."""
    if torch.cuda.is_available():
        yield
        return
    original = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    try:
        yield
    finally:
        torch.Tensor.cuda = original


# ----------------------------------------------------------------- workers


def _run_official(spec: dict, folder: Path) -> dict:
    recipe = get_recipe(spec['arch'])
    cls = load_official_class(Path(spec['module']), recipe.class_name)
    torch.manual_seed(spec['seed'])
    model = cls(**spec['kwargs']).eval().to(spec['device'])
    weights = folder / 'official_weights.pt'
    if not weights.exists():
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, weights)
    image, mask = benchmark_inputs(tuple(spec['shape']), spec['batch'])
    args = tuple(a.to(spec['device']) for a in recipe.make_inputs(image, mask))
    with cuda_calls_stay_on_cpu():
        times, out, peak = time_forward(
            model, args, spec['warmup'], spec['runs'], spec['device']
        )
    return dict(times=times, peak_mib=peak, output=out.float().cpu())


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
    return dict(times=times, peak_mib=peak, output=out.float().cpu())


WORKERS = {'official': _run_official, 'ours': _run_ours}


def worker_main(argv: list[str]) -> int:
    """Entry of a worker process: ``python -m ... SPEC_JSON ROLE``.

    Writes ``<role>.pt`` (times, peak memory, output) next to the spec, or
    ``<role>.error.json`` with the error's type and message.
    """
    spec_path, role = Path(argv[0]), argv[1]
    spec = json.loads(spec_path.read_text())
    folder = spec_path.parent
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
        case = f'{self.batch}x3x{h}x{w} fp32 on {self.device} ({self.threads} threads)'

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
) -> OfficialComparison:
    """Time the official generator and ours, alternately, each in a fresh process.

    Args:
        arch (str): ``'hint'`` (see :data:`OFFICIAL_RECIPES`).
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
    result = OfficialComparison(arch, (h, w), batch, threads, device, merged)
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
        )
        spec_path.write_text(json.dumps(spec))
        for r in range(rounds):
            official = _spawn(spec_path, 'official')
            ours = _spawn(spec_path, 'ours')
            result.official_s += official['times']
            result.ours_s += ours['times']
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
