"""Find, import and run the user's checkout of official code.

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
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import torch

from inpaintzoo.apis.official_recipes import get_recipe
from inpaintzoo.utils.errors import ConfigError, MissingDependencyError

__all__ = [
    'MAMBA_CPU_INSTALL',
    'cuda_calls_stay_on_cpu',
    'find_official_module',
    'load_official_class',
    'mamba_ssm_on_cpu',
    'use_reference_scan',
]


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
