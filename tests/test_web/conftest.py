"""Fixtures of the web-app tests: a tiny HINT config with random weights."""

from pathlib import Path

import pytest

from tests.tiny_config import write_random_tiny_hint

REPO = Path(__file__).resolve().parents[2]


def write_tiny_model(root: Path) -> tuple[Path, Path]:
    """A dumped tiny HINT demo config (dim 4) and a random generator checkpoint.

    Nothing is trained: the weights are random (seed 0), which is enough to
    check that the page runs a model and composites its output.
    """
    root.mkdir(parents=True, exist_ok=True)
    return write_random_tiny_hint(root / 'hint-tiny_web.py', root / 'hint_tiny_web.pth')


@pytest.fixture(scope='module')
def tiny_web_model(tmp_path_factory) -> tuple[Path, Path]:
    """``(config, checkpoint)`` of the tiny random HINT."""
    return write_tiny_model(tmp_path_factory.mktemp('tiny_web'))
