"""Scanners: turn a feature map into one or more 1-D token sequences and back.

Every scanner maps ``(B, C, H, W)`` to ``(B, K, L, C)`` with ``L = H * W`` (``K``
sequences, each a permutation of the pixels) and fuses ``K`` processed sequences
back into one map by un-permuting each and summing. Index tensors are built once
per ``(H, W, device)`` and cached, so the gathers are vectorised and cheap.

Orders (raster indices ``n = row * W + col``), 3x4 example:

* ``RasterScan`` (K=1): ``0 1 2 3 4 5 6 7 8 9 10 11``.
* ``SnakeScan`` (K=1): ``0 1 2 3 | 7 6 5 4 | 8 9 10 11`` (odd rows reversed).
* ``BiSnakeScan`` (K=2): the row snake, and the column snake
  ``0 4 8 | 9 5 1 | 2 6 10 | 11 7 3`` (odd columns bottom-to-top).
* ``CrossScan`` (K=4): raster rows, raster columns (``0 4 8 1 5 9 ...``), and
  both of those reversed.
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import Tensor, nn

from inpaintzoo.registry import MODELS


def _raster(h: int, w: int) -> Tensor:
    return torch.arange(h * w).view(h, w)


def row_snake_order(h: int, w: int) -> Tensor:
    """Row snake: even rows left to right, odd rows right to left.

    Returns:
        Tensor: ``(H*W,)`` int64 raster indices in visiting order.
    """
    grid = _raster(h, w).clone()
    grid[1::2] = grid[1::2].flip(-1)
    return grid.reshape(-1)


def column_snake_order(h: int, w: int) -> Tensor:
    """Column snake: even columns top to bottom, odd columns bottom to top.

    Returns:
        Tensor: ``(H*W,)`` int64 raster indices in visiting order.
    """
    grid = _raster(h, w).t().clone()  # (W, H): row j of grid = column j of the map
    grid[1::2] = grid[1::2].flip(-1)
    return grid.reshape(-1)


class BaseScanner(nn.Module):
    """Parameter-free scanner defined by ``K`` permutations of the ``H*W`` pixels.

    Subclasses implement :meth:`orders` returning a ``(K, H*W)`` int64 tensor of
    raster indices. ``flatten``/``unflatten`` are exact inverses for ``K = 1``;
    for ``K > 1`` ``unflatten(flatten(x))`` equals ``K * x``.
    """

    #: number of sequences produced per map
    num_sequences: int = 1

    def __init__(self) -> None:
        """Scanners take no arguments (the order is the class itself).

        The explicit signature lets the slot check refuse a misspelt key in a
        ``scanner=dict(...)`` config with one line naming it.
        """
        super().__init__()

    @classmethod
    def orders(cls, h: int, w: int) -> Tensor:
        """Visiting orders.

        Args:
            h: Map height.
            w: Map width.

        Returns:
            Tensor: ``(K, H*W)`` int64, row ``k`` = raster indices of sequence ``k``.
        """
        raise NotImplementedError

    @classmethod
    @lru_cache(maxsize=64)
    def _indices(cls, h: int, w: int, device: torch.device) -> tuple[Tensor, Tensor]:
        orders = cls.orders(h, w)
        k, length = orders.shape
        if k != cls.num_sequences:
            raise ValueError(
                f'{cls.__name__}.orders returned {k} rows, expected {cls.num_sequences}'
            )
        inverse = torch.argsort(orders, dim=1)
        offsets = torch.arange(k).unsqueeze(1) * length
        gather = orders.reshape(-1).to(device)
        scatter = (inverse + offsets).reshape(-1).to(device)
        return gather, scatter

    def flatten(self, x: Tensor) -> Tensor:
        """Map to sequences.

        Args:
            x: ``(B, C, H, W)`` feature map.

        Returns:
            Tensor: ``(B, K, L, C)`` token sequences, ``L = H*W``.
        """
        if x.dim() != 4:
            raise ValueError(
                f'{type(self).__name__}.flatten expects (B, C, H, W), '
                f'got {tuple(x.shape)}'
            )
        b, c, h, w = x.shape
        gather, _ = self._indices(h, w, x.device)
        tokens = x.reshape(b, c, h * w).transpose(1, 2)  # (B, L, C)
        return tokens.index_select(1, gather).view(b, self.num_sequences, h * w, c)

    def unflatten(self, seqs: Tensor, h: int, w: int) -> Tensor:
        """Sequences back to one map, fusing the ``K`` sequences by sum.

        Args:
            seqs: ``(B, K, L, C)`` sequences in this scanner's orders.
            h: Map height.
            w: Map width.

        Returns:
            Tensor: ``(B, C, H, W)``.
        """
        b, k, length, c = seqs.shape
        if k != self.num_sequences or length != h * w:
            raise ValueError(
                f'{type(self).__name__}.unflatten got {tuple(seqs.shape)}, expected '
                f'(B, {self.num_sequences}, {h * w}, C) for a {h}x{w} map'
            )
        _, scatter = self._indices(h, w, seqs.device)
        out = (
            seqs.reshape(b, k * length, c)
            .index_select(1, scatter)
            .view(b, k, length, c)
        )
        out = out[:, 0] if k == 1 else out.sum(1)
        return out.transpose(1, 2).reshape(b, c, h, w)

    def forward(self, x: Tensor) -> Tensor:
        """Alias of :meth:`flatten` (``(B, C, H, W) -> (B, K, L, C)``)."""
        return self.flatten(x)


@MODELS.register_module()
class RasterScan(BaseScanner):
    """Row-major order (K=1): token ``n = row * W + col`` (MxT's order).

    ``flatten``: ``(B, C, H, W) -> (B, 1, H*W, C)``; ``unflatten``:
    ``(B, 1, H*W, C) -> (B, C, H, W)`` (exact inverse, no gather).
    """

    num_sequences = 1

    @classmethod
    def orders(cls, h: int, w: int) -> Tensor:  # noqa: D102
        return torch.arange(h * w).unsqueeze(0)

    def flatten(self, x: Tensor) -> Tensor:  # noqa: D102 - fast path, no gather
        b, c, h, w = x.shape
        return x.reshape(b, c, h * w).transpose(1, 2).unsqueeze(1)

    def unflatten(self, seqs: Tensor, h: int, w: int) -> Tensor:  # noqa: D102
        b, k, length, c = seqs.shape
        if k != 1 or length != h * w:
            raise ValueError(
                f'RasterScan.unflatten got {tuple(seqs.shape)}, '
                f'expected (B, 1, {h * w}, C)'
            )
        return seqs[:, 0].transpose(1, 2).reshape(b, c, h, w)


@MODELS.register_module()
class SnakeScan(BaseScanner):
    """Boustrophedon rows (K=1): odd rows reversed.

    ``flatten``: ``(B, C, H, W) -> (B, 1, H*W, C)``; ``unflatten``:
    ``(B, 1, H*W, C) -> (B, C, H, W)`` (exact inverse).
    """

    num_sequences = 1

    @classmethod
    def orders(cls, h: int, w: int) -> Tensor:  # noqa: D102
        return row_snake_order(h, w).unsqueeze(0)


@MODELS.register_module()
class BiSnakeScan(BaseScanner):
    """Row snake + column snake (K=2), fused by sum (SEM-Net's SBDM, §4.2).

    ``flatten``: ``(B, C, H, W) -> (B, 2, H*W, C)``; ``unflatten``:
    ``(B, 2, H*W, C) -> (B, C, H, W)``, the sum of both un-permuted sequences.
    """

    num_sequences = 2

    @classmethod
    def orders(cls, h: int, w: int) -> Tensor:  # noqa: D102
        return torch.stack([row_snake_order(h, w), column_snake_order(h, w)])


@MODELS.register_module()
class BiRasterScan(BaseScanner):
    """Raster rows + raster columns (K=2), fused by sum.

    The "raster, bi-directional" ablation of SEM-Net (thesis Table 5.7).
    ``flatten``: ``(B, C, H, W) -> (B, 2, H*W, C)``; ``unflatten``:
    ``(B, 2, H*W, C) -> (B, C, H, W)``, the sum of both un-permuted sequences.
    """

    num_sequences = 2

    @classmethod
    def orders(cls, h: int, w: int) -> Tensor:  # noqa: D102
        return torch.stack([torch.arange(h * w), _raster(h, w).t().reshape(-1)])


@MODELS.register_module()
class CrossScan(BaseScanner):
    """Four-way cross scan (K=4): rows, columns, reversed rows, reversed columns.

    ``flatten``: ``(B, C, H, W) -> (B, 4, H*W, C)``; ``unflatten``:
    ``(B, 4, H*W, C) -> (B, C, H, W)``, the sum of the four un-permuted sequences.
    """

    num_sequences = 4

    @classmethod
    def orders(cls, h: int, w: int) -> Tensor:  # noqa: D102
        rows = torch.arange(h * w)
        cols = _raster(h, w).t().reshape(-1)
        return torch.stack([rows, cols, rows.flip(0), cols.flip(0)])
