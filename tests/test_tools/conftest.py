import importlib.util
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from inpaintzoo.apis.cli import DEBUG_ENV, run_cli
from inpaintzoo.datasets.demo import prepare_demo_data

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='session')
def demo_root(tmp_path_factory) -> Path:
    """Demo data (64x64 crops) written once per test session."""
    root = tmp_path_factory.mktemp('demo_data')
    prepare_demo_data(root, size=64)
    return root


def load_tool(relpath: str) -> ModuleType:
    """Import a script of ``tools/`` as a module (its ``__main__`` block not run)."""
    path = REPO / relpath
    name = 'tool_' + relpath.replace('/', '_').removesuffix('.py')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class ToolRun:
    """Exit status and captured output of an in-process tool run."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_tool(monkeypatch, capsys) -> Callable[..., ToolRun]:
    """Run ``tools/<script>`` in-process the way ``python tools/<script>`` does.

    ``run_tool('tools/train.py', 'CONFIG', '--debug')`` sets ``sys.argv``, calls
    ``run_cli(module.main)`` and returns the exit status and captured output.
    """

    def run(relpath: str, *args: str) -> ToolRun:
        module = load_tool(relpath)
        monkeypatch.delenv(DEBUG_ENV, raising=False)
        monkeypatch.setattr(sys, 'argv', [str(REPO / relpath), *args])
        capsys.readouterr()
        try:
            run_cli(module.main)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        else:  # pragma: no cover - run_cli always exits
            code = 0
        captured = capsys.readouterr()
        return ToolRun(code, captured.out, captured.err)

    return run


# a second process that takes the work-dir lock with the same protocol as
# lock_work_dir (flock on <work_dir>/.lock, PID inside), without importing torch
HOLDER = """
import fcntl, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
f = open(os.path.join(sys.argv[1], '.lock'), 'a+')
fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
f.truncate(0); f.write(f'{os.getpid()}\\n'); f.flush()
print('locked', flush=True)
sys.stdin.read()
"""


@pytest.fixture
def locked_work_dir(tmp_path):
    """A work dir locked by a second process; yields (work dir, its PID)."""
    work = tmp_path / 'work'
    holder = subprocess.Popen(
        [sys.executable, '-c', HOLDER, str(work)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == 'locked'
        yield work, holder.pid
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
