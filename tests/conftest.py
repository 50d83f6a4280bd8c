"""Shared pytest fixtures: where ``shared/`` lives, seeding, tiny helpers."""

import os
import random
from pathlib import Path

import numpy as np
import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]

# programs the tests run in this process (``inpaintzoo.cli.main.main``) must not
# change the allocator of the pytest process (inpaintzoo.utils.freed_memory)
os.environ.setdefault('INPAINTZOO_KEEP_FREED_MEMORY', 'off')


def shared_root() -> Path:
    """The shared folder: ``$INPAINTZOO_SHARED`` or ``../shared`` beside the repo."""
    env = os.environ.get('INPAINTZOO_SHARED')
    return Path(env) if env else REPO_ROOT.parent / 'shared'


@pytest.fixture(scope='session')
def shared_dir() -> Path:
    """Path of ``shared/``; skips the test when it is not present."""
    root = shared_root()
    if not root.is_dir():
        pytest.skip(f'shared folder not found at {root} (set INPAINTZOO_SHARED)')
    return root


@pytest.fixture(scope='session')
def reference_dir(shared_dir: Path) -> Path:
    """``shared/reference`` with the official golden fixtures."""
    return shared_dir / 'reference'


@pytest.fixture(scope='session')
def data_dir(shared_dir: Path) -> Path:
    """``shared/data`` with real images and masks."""
    return shared_dir / 'data'


@pytest.fixture
def seed() -> int:
    """Seed torch, numpy and random; returns the seed."""
    value = 0
    torch.manual_seed(value)
    np.random.seed(value)  # noqa: NPY002
    random.seed(value)
    return value


@pytest.fixture
def capture_print_log(monkeypatch):
    """Return ``capture(module) -> lines``: the messages ``module`` logs.

    Replaces ``module.print_log`` for the test; each call's message is appended
    to the returned list (keyword arguments such as ``level`` are ignored).
    """

    def capture(module: object) -> list[str]:
        lines: list[str] = []
        monkeypatch.setattr(
            module, 'print_log', lambda msg, **kwargs: lines.append(msg)
        )
        return lines

    return capture
