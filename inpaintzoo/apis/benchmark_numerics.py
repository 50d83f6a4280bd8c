"""Numerics-changing benchmark options: autocast, weight casting, ``torch.compile``.

Each option is measured against the fp32 eager forward on the same input, so a
faster number always comes with its price in accuracy.
"""

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from inpaintzoo.utils.errors import InpaintzooError

DTYPES = {'fp32': torch.float32, 'fp16': torch.float16, 'bf16': torch.bfloat16}


class CompileError(InpaintzooError, RuntimeError):
    """``torch.compile`` could not compile the generator on this machine."""


@dataclass
class OutputError:
    """Difference of an output from the fp32 eager reference.

    Attributes:
        max_abs (float): ``max |out - ref|``.
        psnr_db (float | None): ``10 log10(1 / MSE)`` (peak 1: images in [0, 1]);
            None when the outputs are identical.
    """

    max_abs: float
    psnr_db: float | None


def main_output(out: Any) -> torch.Tensor:
    """The image tensor of a generator's output.

    Args:
        out: a tensor, or a tuple / named tuple / list whose first element is the
            image (e.g. NCLG-MT's ``(image, landmarks)``), or a dict holding one
            under ``'image'`` / ``'output'`` / ``'fake'``.

    Returns:
        Tensor: the ``(N, 3, H, W)`` image.

    Raises:
        TypeError: when no tensor can be found.
    """
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)) and out:
        return main_output(out[0])
    if isinstance(out, dict):
        for key in ('image', 'output', 'fake'):
            if key in out:
                return main_output(out[key])
    raise TypeError(f'cannot find the output image in a {type(out).__name__}')


def output_error(out: torch.Tensor, ref: torch.Tensor) -> OutputError:
    """Max absolute error and PSNR (peak 1) of ``out`` against ``ref``.

    Args:
        out (Tensor): ``(N, C, H, W)`` in any float dtype.
        ref (Tensor): same shape, the fp32 eager output.

    Returns:
        OutputError: computed in float64.
    """
    diff = out.detach().double().cpu() - ref.detach().double().cpu()
    mse = float(diff.pow(2).mean())
    psnr = None if mse == 0 else 10 * math.log10(1.0 / mse)
    return OutputError(max_abs=float(diff.abs().max()), psnr_db=psnr)


def precision_label(dtype: str, cast_weights: bool) -> str:
    """``'fp32'``, ``'bf16 autocast'`` or ``'bf16 weights'`` (for result lines)."""
    if dtype == 'fp32':
        return 'fp32'
    return f'{dtype} weights' if cast_weights else f'{dtype} autocast'


@contextlib.contextmanager
def precision_context(dtype: str, cast_weights: bool, device: str) -> Iterator[None]:
    """``torch.autocast`` to ``dtype`` unless fp32 or the weights are cast."""
    if dtype == 'fp32' or cast_weights:
        yield
        return
    device_type = 'cuda' if device.startswith('cuda') else 'cpu'
    with torch.autocast(device_type, dtype=DTYPES[dtype]):
        yield


def compile_generator(gen: nn.Module) -> Callable[..., Any]:
    """``torch.compile(gen)`` (compilation itself happens on the first call)."""
    return torch.compile(gen)


def first_call(fn: Callable[..., Any], *inputs: torch.Tensor) -> Any:
    """Run a compiled forward once; a compiler failure becomes :class:`CompileError`.

    Raises:
        CompileError: naming the exception and its first line (e.g. inductor
            without a working C++ compiler).
    """
    try:
        return fn(*inputs)
    except InpaintzooError:
        raise
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
        raise CompileError(
            f'torch.compile could not compile the generator on this machine '
            f'({type(exc).__name__}: {first[:300]}); run without --compile '
            '(inductor needs a working C++ compiler on CPU)'
        ) from exc
