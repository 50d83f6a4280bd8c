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
MxT and SEM-Net import ``mamba_ssm``, whose compiled CUDA scan does not exist on a
CPU: there (and only in the official process) the worker applies the fixtures'
patches — an empty ``selective_scan_cuda`` module before the import, mamba-ssm's
own pure-PyTorch ``selective_scan_ref`` as the scan, no ``causal_conv1d``, no
fused path — so the official code runs mamba-ssm's reference scan, as the issue's
measurement did. On a GPU with mamba-ssm built, nothing is patched.

Code is imported only from a checkout owned by the user and not writable by
group or others (the rule of the kernel cache, ``docs/ssm.md``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from inpaintzoo.apis.benchmark import benchmark_inputs, time_forward
from inpaintzoo.utils import freed_memory
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
    'mamba_official_inputs',
    'mamba_ssm_on_cpu',
    'use_reference_scan',
]


def _official_masks(image: torch.Tensor, mask: torch.Tensor) -> tuple:
    """``inp_img`` (holes set to 1), ``mask`` and the mask at 1/2, 1/4, 1/8 size."""
    h, w = mask.shape[-2:]
    scaled = [
        F.interpolate(mask, size=[h // s, w // s], mode='nearest') for s in (2, 4, 8)
    ]
    return (image * (1 - mask) + mask, mask, *scaled)


def hint_official_inputs(
    image: torch.Tensor, mask: torch.Tensor, kwargs: dict | None = None
) -> tuple:
    """Official HINT test-time inputs (``src/models.py``) from image and mask.

    Args:
        image (Tensor): ``(N, 3, H, W)`` in [0, 1].
        mask (Tensor): ``(N, 1, H, W)``, 1 = hole; H and W multiples of 8.
        kwargs (dict, optional): constructor kwargs (unused).

    Returns:
        tuple: ``inp_img`` (holes set to 1), ``mask_whole`` and the mask at 1/2,
        1/4, 1/8 size (nearest).
    """
    return _official_masks(image, mask)


def mamba_official_inputs(
    image: torch.Tensor, mask: torch.Tensor, kwargs: dict, orders: bool = False
) -> tuple:
    """Official MxT / SEM-Net generator inputs: HINT's five, then the PE tables.

    The tables ``pos1..pos4, pos1_dec`` (widths ``dim * (1, 2, 4, 8, 2)``) are the
    official sinusoid (float32 product, :func:`sinusoidal_table`), one row per
    token of the level, built here once as the fixtures were (the official
    wrappers build 0.5-20 M rows, the SEM-Net one on every forward; that is not
    timed here). MxT's generator also takes four orders that it only clones:
    ``arange`` of each level's token count.

    Args:
        image (Tensor): ``(N, 3, H, W)`` in [0, 1].
        mask (Tensor): ``(N, 1, H, W)``, 1 = hole; H and W multiples of 8.
        kwargs (dict): official constructor kwargs (``dim``).
        orders (bool): append MxT's ``order256..order32``.

    Returns:
        tuple: the official forward's positional arguments.
    """
    from inpaintzoo.models.ssm.positional import sinusoidal_table

    h, w = mask.shape[-2:]
    dim, tokens = int(kwargs['dim']), h * w
    sizes = [(tokens, dim), (tokens // 4, 2 * dim), (tokens // 16, 4 * dim)]
    sizes += [(tokens // 64, 8 * dim), (tokens, 2 * dim)]
    tables = [sinusoidal_table(n, d).clone().to(image.dtype) for n, d in sizes]
    extra = [torch.arange(n) for n, _ in sizes[:4]] if orders else []
    return (*_official_masks(image, mask), *tables, *extra)


def mxt_official_inputs(image: torch.Tensor, mask: torch.Tensor, kwargs: dict):
    """:func:`mamba_official_inputs` with MxT's orders."""
    return mamba_official_inputs(image, mask, kwargs, orders=True)


@dataclass(frozen=True)
class OfficialRecipe:
    """How to find, build and call one official generator.

    Attributes:
        arch (str): converter name (``inpaintzoo.models.converters``).
        module_files (tuple[str, ...]): where the generator's module may lie in
            the checkout, tried in order.
        class_name (str): the generator class in that module.
        make_inputs (Callable): ``(image, mask, kwargs) -> official forward
            args`` (kwargs: the official constructor kwargs).
        stride (int): H and W must be multiples of this (no padding there).
        mamba (bool): the code imports ``mamba_ssm`` (CPU patches, see the
            module doc).
    """

    arch: str
    module_files: tuple[str, ...]
    class_name: str
    make_inputs: Callable[[torch.Tensor, torch.Tensor, dict], tuple]
    stride: int
    mamba: bool = False


_NETWORKS = ('src/networks.py', 'networks.py')

#: archs whose official code can be timed against ours
OFFICIAL_RECIPES: dict[str, OfficialRecipe] = {
    'hint': OfficialRecipe('hint', _NETWORKS, 'HINT', hint_official_inputs, 8),
    'mxt': OfficialRecipe('mxt', _NETWORKS, 'MxT', mxt_official_inputs, 8, True),
    'sem_net': OfficialRecipe(
        'sem_net', _NETWORKS, 'SEM', mamba_official_inputs, 8, True
    ),
}


def get_recipe(arch: str) -> OfficialRecipe:
    """The recipe of ``arch``; ConfigError naming the supported archs otherwise."""
    if arch not in OFFICIAL_RECIPES:
        raise ConfigError(
            f'no official-code benchmark for arch {arch!r}; supported: '
            f'{sorted(OFFICIAL_RECIPES)}'
        )
    return OFFICIAL_RECIPES[arch]


def find_official_module(repo: str | os.PathLike, arch: str) -> Path:
    """The official generator module in a checkout, after the ownership checks.

    Args:
        repo: the checkout's root folder.
        arch (str): a key of :data:`OFFICIAL_RECIPES`.

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


#: how to get the reference-scan mamba-ssm the official MxT / SEM-Net import on a CPU
MAMBA_CPU_INSTALL = (
    'MAMBA_FORCE_BUILD=TRUE MAMBA_SKIP_CUDA_BUILD=TRUE pip install '
    '--no-build-isolation mamba-ssm==2.3.2.post1 transformers einops'
)
#: packages the official Mamba code needs (mamba-ssm imports transformers)
_MAMBA_NEEDS = frozenset({'mamba_ssm', 'transformers', 'selective_scan_cuda'})


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
        top = (err.name or '').split('.')[0]
        how = MAMBA_CPU_INSTALL if top in _MAMBA_NEEDS else f'pip install {top}'
        raise MissingDependencyError(
            f'the official code {path} imports {err.name!r}, which is not installed '
            f'here ({how})'
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


@contextlib.contextmanager
def mamba_ssm_on_cpu() -> Iterator[None]:
    """Inside: ``import mamba_ssm`` works without its compiled CUDA scan.

    An empty ``selective_scan_cuda`` module stands in for the extension (imported
    by mamba-ssm at import time, never called once the scan is patched, see
    :func:`use_reference_scan`). Nothing is changed where CUDA is available.
    """
    if torch.cuda.is_available() or 'selective_scan_cuda' in sys.modules:
        yield
        return
    sys.modules['selective_scan_cuda'] = types.ModuleType('selective_scan_cuda')
    try:
        yield
    finally:
        sys.modules.pop('selective_scan_cuda', None)


def use_reference_scan(model: torch.nn.Module) -> int:
    """Make mamba-ssm's ``Mamba`` layers run its pure-PyTorch reference scan.

    On a machine without CUDA: ``mamba_simple.selective_scan_fn`` becomes
    ``selective_scan_ref``, ``causal_conv1d_fn`` None (the causal conv then runs
    as ``nn.Conv1d``) and every ``Mamba`` layer's ``use_fast_path`` False. The
    module changes hold for the whole process: the benchmark calls this only in
    its official worker process, never in the caller's.

    Returns:
        int: the number of ``Mamba`` layers in ``model`` (0 with CUDA: nothing
        patched).

    Raises:
        MissingDependencyError: mamba-ssm's modules cannot be imported.
    """
    if torch.cuda.is_available():
        return 0
    try:
        simple = importlib.import_module('mamba_ssm.modules.mamba_simple')
        interface = importlib.import_module('mamba_ssm.ops.selective_scan_interface')
    except ImportError as err:
        raise MissingDependencyError(
            f'mamba_ssm cannot be imported here ({err}); for the official code on '
            f'a CPU: {MAMBA_CPU_INSTALL}'
        ) from err
    simple.selective_scan_fn = interface.selective_scan_ref
    simple.causal_conv1d_fn = None
    layers = [m for m in model.modules() if isinstance(m, simple.Mamba)]
    for layer in layers:
        layer.use_fast_path = False
    return len(layers)


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
