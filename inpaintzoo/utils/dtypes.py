"""Dtype helpers shared by layers and losses that keep half-precision out."""

import torch
from torch import Tensor

HALF_DTYPES = (torch.float16, torch.bfloat16)


def at_least_float32(x: Tensor) -> Tensor:
    """``x`` in float32 if it is float16 / bfloat16, else unchanged (float64 stays).

    Args:
        x (Tensor): any shape.

    Returns:
        Tensor: same shape; float32 for half inputs, ``x`` itself otherwise.
    """
    return x.float() if x.dtype in HALF_DTYPES else x
