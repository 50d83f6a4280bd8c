"""Fixtures of the console-script tests: a tiny HINT config and random weights."""

from pathlib import Path

import pytest

from tests.tiny_config import write_random_tiny_hint


@pytest.fixture(scope='module')
def tiny_model_files(tmp_path_factory) -> tuple[Path, Path]:
    """A dumped tiny HINT config and a generator-only random checkpoint."""
    pytest.importorskip('inpaintzoo.apis.inference')
    root = tmp_path_factory.mktemp('tiny')
    return write_random_tiny_hint(root / 'hint_tiny.py', root / 'gen_only.pth')
