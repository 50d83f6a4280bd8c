"""1-D sinusoidal positional embedding for token sequences of any length.

``PE[n, 2k] = sin(n * w_k)``, ``PE[n, 2k+1] = cos(n * w_k)`` with
``w_k = exp(2k * (-ln 10000) / d)``. Positions, ``w_k`` and their product are
float32 (bit-for-bit the official MxT/SEM-Net tables), then cast to the requested
dtype. Row ``n`` depends only on ``n`` and ``d``, so a table of exactly ``L`` rows
equals the first ``L`` rows of the official oversized tables. Tables are cached
per ``(length, dim, device, dtype)`` in a small LRU instead of being pre-allocated.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
from torch import Tensor, nn

from inpaintzoo.registry import MODELS


@lru_cache(maxsize=32)
def _cached_table(
    length: int, dim: int, device: torch.device, dtype: torch.dtype
) -> Tensor:
    # a plain constant even when first requested under inference_mode / no_grad
    with torch.inference_mode(False), torch.no_grad():
        return _build_table(length, dim, device, dtype)


def _build_table(
    length: int, dim: int, device: torch.device, dtype: torch.dtype
) -> Tensor:
    position = torch.arange(0, length, dtype=torch.float32, device=device).unsqueeze(1)
    omega = torch.exp(
        torch.arange(0, dim, 2, dtype=torch.float32, device=device)
        * (-math.log(10000.0) / dim)
    )
    angle = position * omega  # (L, dim/2), float32
    table = torch.empty(length, dim, dtype=torch.float32, device=device)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table.to(dtype)


def sinusoidal_table(
    length: int,
    dim: int,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Sinusoidal table computed in float32, cast to ``dtype``; cached, read-only.

    Args:
        length: Number of rows ``L`` (sequence length).
        dim: Embedding width ``d`` (even).
        device: Device of the table (default CPU).
        dtype: Output dtype.

    Returns:
        Tensor: ``(L, d)`` table. It is shared by the cache: do not modify it in place.
    """
    if dim <= 0 or dim % 2:
        raise ValueError(f'sinusoidal_table needs an even positive dim, got {dim}')
    if length < 0:
        raise ValueError(f'sinusoidal_table needs length >= 0, got {length}')
    return _cached_table(int(length), int(dim), torch.device(device or 'cpu'), dtype)


@MODELS.register_module()
class SinusoidalPositionalEmbedding(nn.Module):
    """Adds ``PE[:L]`` to a batch of token sequences (no parameters, no buffers).

    Args:
        dim: Token width ``C`` (even).
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        if dim <= 0 or dim % 2:
            raise ValueError(
                f'SinusoidalPositionalEmbedding needs an even positive dim, got {dim}'
            )
        self.dim = dim

    def forward(self, tokens: Tensor) -> Tensor:
        """Add the table.

        Args:
            tokens: ``(..., L, C)`` tokens, ``C == dim``.

        Returns:
            Tensor: ``(..., L, C)`` tokens + ``PE[:L]`` (broadcast over leading dims).
        """
        if tokens.shape[-1] != self.dim:
            raise ValueError(
                f'SinusoidalPositionalEmbedding(dim={self.dim}) got tokens of '
                f'width {tokens.shape[-1]}'
            )
        table = sinusoidal_table(
            tokens.shape[-2], self.dim, tokens.device, tokens.dtype
        )
        return tokens + table

    def extra_repr(self) -> str:  # noqa: D102
        return f'dim={self.dim}'
