"""Scanners: exact orders on a 3x4 grid (reference-models §4.2) and exact inverses."""

import pytest
import torch

from inpaintzoo.models.ssm.scanners import (
    BiRasterScan,
    BiSnakeScan,
    CrossScan,
    RasterScan,
    SnakeScan,
    column_snake_order,
    row_snake_order,
)
from inpaintzoo.registry import MODELS

GRID = torch.arange(12.0).view(1, 1, 3, 4)
EXPECTED = {
    'RasterScan': [list(range(12))],
    'SnakeScan': [[0, 1, 2, 3, 7, 6, 5, 4, 8, 9, 10, 11]],
    'BiSnakeScan': [
        [0, 1, 2, 3, 7, 6, 5, 4, 8, 9, 10, 11],
        [0, 4, 8, 9, 5, 1, 2, 6, 10, 11, 7, 3],
    ],
    'BiRasterScan': [list(range(12)), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]],
    'CrossScan': [
        list(range(12)),
        [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11],
        list(range(11, -1, -1)),
        [11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0],
    ],
}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_orders_on_3x4_grid(name: str) -> None:
    scanner = MODELS.build(dict(type=name))
    seqs = scanner.flatten(GRID)
    assert seqs.shape == (1, len(EXPECTED[name]), 12, 1)
    assert seqs[0, :, :, 0].long().tolist() == EXPECTED[name]


def test_snake_helpers_match_spec() -> None:
    assert row_snake_order(3, 4).tolist() == EXPECTED['SnakeScan'][0]
    assert column_snake_order(3, 4).tolist() == EXPECTED['BiSnakeScan'][1]


@pytest.mark.parametrize(
    'cls', [RasterScan, SnakeScan, BiSnakeScan, BiRasterScan, CrossScan]
)
@pytest.mark.parametrize('hw', [(3, 4), (5, 2), (1, 7), (6, 6)])
def test_unflatten_is_inverse_and_sums(cls: type, hw: tuple) -> None:
    h, w = hw
    x = torch.randn(2, 3, h, w, dtype=torch.float64)
    scanner = cls()
    seqs = scanner.flatten(x)
    assert seqs.shape == (2, cls.num_sequences, h * w, 3)
    assert torch.equal(scanner.unflatten(seqs, h, w), x * cls.num_sequences)
    # every sequence is a permutation of the pixels
    for k in range(cls.num_sequences):
        assert torch.equal(
            seqs[:, k].sort(1).values, x.flatten(2).transpose(1, 2).sort(1).values
        )


def test_unflatten_fuses_different_outputs_by_sum() -> None:
    scanner = BiSnakeScan()
    seqs = torch.zeros(1, 2, 12, 1)
    seqs[0, 0, 4, 0] = 1.0  # row snake position 4 -> pixel 7
    seqs[0, 1, 3, 0] = 2.0  # column snake position 3 -> pixel 9
    out = scanner.unflatten(seqs, 3, 4).flatten()
    assert out[7] == 1.0
    assert out[9] == 2.0
    assert out.sum() == 3.0


def test_bad_shapes_raise() -> None:
    with pytest.raises(ValueError, match='expected'):
        SnakeScan().unflatten(torch.zeros(1, 2, 12, 1), 3, 4)
    with pytest.raises(ValueError, match='expected'):
        RasterScan().unflatten(torch.zeros(1, 1, 11, 1), 3, 4)
    with pytest.raises(ValueError, match='expects'):
        CrossScan().flatten(torch.zeros(3, 4))


def test_gradients_flow_through_gathers() -> None:
    x = torch.randn(1, 2, 3, 4, requires_grad=True)
    CrossScan().unflatten(CrossScan().flatten(x), 3, 4).sum().backward()
    assert torch.equal(x.grad, torch.full_like(x, 4.0))
