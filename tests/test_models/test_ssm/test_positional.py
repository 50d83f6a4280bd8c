"""Sinusoidal positional embedding: bit-for-bit the official tables, any length."""

import math
from pathlib import Path

import pytest
import torch

from inpaintzoo.models.ssm.positional import (
    SinusoidalPositionalEmbedding,
    sinusoidal_table,
)
from inpaintzoo.registry import MODELS


def test_known_values() -> None:
    table = sinusoidal_table(3, 4)
    assert table.dtype == torch.float32
    assert table.shape == (3, 4)
    assert table[0].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert table[1, 0].item() == pytest.approx(math.sin(1.0), abs=1e-7)
    assert table[2, 3].item() == pytest.approx(math.cos(2 * 0.01), abs=1e-7)


def test_float32_rounding_is_kept_in_float64() -> None:
    t64 = sinusoidal_table(5000, 8, dtype=torch.float64)
    assert torch.equal(t64, sinusoidal_table(5000, 8).double())
    exact = torch.arange(5000, dtype=torch.float64)[:, None] * torch.exp(
        torch.arange(0, 8, 2, dtype=torch.float64) * (-math.log(10000.0) / 8)
    )
    assert 1e-7 < (t64[:, 0::2] - exact.sin()).abs().max() < 1e-2  # float32 angle error


def test_prefix_property_and_cache() -> None:
    assert torch.equal(sinusoidal_table(100, 6)[:40], sinusoidal_table(40, 6))
    assert sinusoidal_table(40, 6) is sinusoidal_table(40, 6)


def test_matches_official_fixture_tables(reference_dir: Path) -> None:
    io = torch.load(reference_dir / 'mxt' / 'io.pt', weights_only=False)
    for key in ('pos1', 'pos2', 'pos3', 'pos4', 'pos1_dec'):
        ref = io[key]
        assert torch.equal(
            sinusoidal_table(ref.shape[0], ref.shape[1], dtype=ref.dtype), ref
        ), key


def test_module_adds_table() -> None:
    pe = MODELS.build(dict(type='SinusoidalPositionalEmbedding', dim=4))
    tokens = torch.zeros(2, 3, 7, 4)
    out = pe(tokens)
    assert torch.equal(out[1, 2], sinusoidal_table(7, 4))
    assert not list(pe.parameters())
    assert not list(pe.buffers())
    with pytest.raises(ValueError, match='width'):
        pe(torch.zeros(1, 7, 6))


def test_invalid_dims() -> None:
    with pytest.raises(ValueError, match='even'):
        sinusoidal_table(3, 5)
    with pytest.raises(ValueError, match='even'):
        SinusoidalPositionalEmbedding(3)


def test_inference_mode_table_usable_in_autograd() -> None:
    with torch.inference_mode():
        sinusoidal_table(11, 2)
    x = torch.zeros(1, 11, 2, requires_grad=True)
    (SinusoidalPositionalEmbedding(2)(x) * 2).sum().backward()
    assert torch.equal(x.grad, torch.full_like(x, 2.0))
