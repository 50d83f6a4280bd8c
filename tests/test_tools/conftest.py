from pathlib import Path

import pytest

from inpaintzoo.datasets.demo import prepare_demo_data


@pytest.fixture(scope='session')
def demo_root(tmp_path_factory) -> Path:
    """Demo data (64x64 crops) written once per test session."""
    root = tmp_path_factory.mktemp('demo_data')
    prepare_demo_data(root, size=64)
    return root
