"""Tiles of the ``'sliding'`` strategy and their feather weights.

An even grid of overlapping windows whose weights, once normalised, sum to 1 at
every pixel, so the blended output has no seam. Used by
:mod:`inpaintzoo.apis.highres` and by the tiled restorer
(:mod:`inpaintzoo.apis.restoration`).
"""

import math
from collections.abc import Callable

import torch
from torch import Tensor

#: ``(top, bottom, left, right)``, end-exclusive
Box = tuple[int, int, int, int]


def tile_starts(size: int, tile: int, overlap: int) -> list[int]:
    """Evenly spaced tile starts along one axis.

    Neighbouring tiles share at least ``overlap`` pixels, the first starts at 0
    and the last ends at ``size``.

    Args:
        size (int): axis length.
        tile (int): tile length (clipped to ``size``).
        overlap (int): least overlap of neighbours, ``< tile``.

    Returns:
        list[int]: increasing starts.
    """
    if size <= tile:
        return [0]
    count = math.ceil((size - overlap) / (tile - overlap))
    return [round(i * (size - tile) / (count - 1)) for i in range(count)]


def _ramp(starts: list[int], index: int, length: int) -> Tensor:
    """1-D feather weight (length,) of tile ``index`` among tiles at ``starts``."""
    weight = torch.ones(length, dtype=torch.float64)
    if index > 0:  # band shared with the previous tile
        band = starts[index - 1] + length - starts[index]
        weight[:band] = torch.arange(1, band + 1, dtype=torch.float64) / (band + 1)
    if index < len(starts) - 1:  # band shared with the next tile
        band = starts[index] + length - starts[index + 1]
        down = torch.arange(band, 0, -1, dtype=torch.float64) / (band + 1)
        weight[length - band :] = torch.minimum(weight[length - band :], down)
    return weight


def tile_grid(
    height: int, width: int, tile: int, overlap: int
) -> list[tuple[Box, Tensor]]:
    """Tiles covering an image and their (unnormalised) feather weights.

    Args:
        height (int): H.
        width (int): W.
        tile (int): tile side (clipped to H and W).
        overlap (int): least overlap of neighbouring tiles.

    Returns:
        list[tuple[Box, Tensor]]: ``((top, bottom, left, right), weight)`` per
        tile, row-major; ``weight`` is (th, tw) float64, > 0 inside the tile and
        ramping linearly to near 0 across each band shared with a neighbour.
    """
    th, tw = min(tile, height), min(tile, width)
    rows, cols = tile_starts(height, th, overlap), tile_starts(width, tw, overlap)
    grid = []
    for i, top in enumerate(rows):
        wy = _ramp(rows, i, th)
        for j, left in enumerate(cols):
            grid.append(
                (
                    (top, top + th, left, left + tw),
                    wy[:, None] * _ramp(cols, j, tw)[None],
                )
            )
    return grid


def blend_tiles(
    image: Tensor, tile: int, overlap: int, run: Callable[[Box], Tensor | None]
) -> tuple[Tensor, Tensor]:
    """Feathered sum of ``run(box)`` over the tile grid of ``image``.

    Args:
        image (Tensor): (N, 3, H, W): gives the size, dtype and device.
        tile (int): tile side (clipped to H, W).
        overlap (int): least overlap of neighbouring tiles.
        run (Callable): ``(top, bottom, left, right) -> (N, 3, h, w)`` output of
            that window, or None to skip it.

    Returns:
        tuple[Tensor, Tensor]: (N, 3, H, W) weighted sum and (1, 1, H, W) sum of
        the weights (0 where every covering tile was skipped).
    """
    height, width = image.shape[-2:]
    acc = torch.zeros_like(image)
    wsum = torch.zeros((1, 1, height, width), dtype=image.dtype, device=image.device)
    for box, weight in tile_grid(height, width, tile, overlap):
        out = run(box)
        if out is None:
            continue
        top, bottom, left, right = box
        w = weight.to(device=image.device, dtype=image.dtype)
        acc[..., top:bottom, left:right] += out * w
        wsum[..., top:bottom, left:right] += w
    return acc, wsum
