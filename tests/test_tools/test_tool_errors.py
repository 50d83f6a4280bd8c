"""Every tool reports bad input as one ``error:`` line (exit 2), no traceback.

The tools run in-process through ``run_cli`` (fixture ``run_tool``) the way
``python tools/<script>`` runs them; one test starts the real script.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from inpaintzoo.apis.work_dir_lock import lock_work_dir, unlock_work_dir
from inpaintzoo.utils.errors import WorkDirLockedError
from tests.tiny_config import REPO, tiny_cfg

DEMO = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'
PLACES2 = str(REPO / 'configs/mxt/mxt_places2.py')


def assert_one_line_error(run, *needles: str) -> str:
    assert run.code == 2, (run.out, run.err)
    assert 'Traceback' not in run.err
    errors = [line for line in run.err.splitlines() if line.startswith('error: ')]
    assert len(errors) == 1, run.err
    for needle in needles:
        assert needle in run.err
    return errors[0]


def test_train_without_data_lists_every_missing_path(run_tool, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/ here
    run = run_tool('tools/train.py', PLACES2)
    assert_one_line_error(
        run,
        'data/places2/flists/train.flist',
        'data/nvidia_masks/train',
        'data/places2/flists/val.flist',
        'data/nvidia_masks/test_buckets',
        'docs/data_preparation.md',
    )
    assert len(run.err.splitlines()) <= 8
    assert run.out == ''  # nothing printed before the check (no config dump)


def test_test_without_data_or_checkpoint(run_tool, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_tool('tools/test.py', PLACES2, 'missing.pth')
    assert_one_line_error(run, 'checkpoint missing.pth does not exist')
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'')
    run = run_tool('tools/test.py', PLACES2, str(ckpt))
    line = assert_one_line_error(run, 'data/places2/flists/val.flist')
    assert '2 data path(s)' in line  # the test loader only, not the train one
    assert 'data/nvidia_masks/train' not in run.err


def test_debug_shows_the_traceback(run_tool, tmp_path):
    run = run_tool('tools/train.py', str(tmp_path / 'nope.py'), '--debug')
    assert run.code == 2
    assert 'Traceback' in run.err
    assert (
        run.err.splitlines()[-1]
        == f'error: config file {tmp_path}/nope.py does not exist'
    )


def test_cfg_options_item_without_equals(run_tool):
    run = run_tool('tools/train.py', PLACES2, '--cfg-options', 'max_iters')
    assert run.code == 2
    assert "--cfg-options item 'max_iters' must be KEY=VALUE" in run.err
    assert 'Traceback' not in run.err


def test_cfg_options_key_matching_nothing_warns(run_tool, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_tool('tools/train.py', PLACES2, '--cfg-options', 'max_iters=2')
    warnings = [ln for ln in run.err.splitlines() if ln.startswith('warning:')]
    assert len(warnings) == 1
    assert "set 'train_cfg.max_iters' instead" in warnings[0]
    assert run.code == 2  # then stops on the missing data, as usual


@pytest.mark.parametrize(
    ('tool', 'args', 'needle'),
    [
        ('tools/dataset_converters/make_flist.py', ['nope', 'x.flist'], 'nope'),
        ('tools/dataset_converters/sort_masks_by_ratio.py', ['nope', 'out'], 'nope'),
        ('tools/dataset_converters/prepare_demo_data.py', ['d', '--size', '8'], '16'),
        ('tools/analysis/telea_baseline.py', ['nope', 'nope2', 'out'], 'nope'),
        ('tools/analysis/benchmark_latency.py', ['nope.py'], 'nope.py'),
        ('tools/run_demo.py', ['--data-root', 'file.txt/demo'], 'file.txt'),
    ],
)
def test_small_tools_print_one_error_line(
    run_tool, tmp_path, monkeypatch, tool, args, needle
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'file.txt').write_text('not a folder')
    assert_one_line_error(run_tool(tool, *args), needle)


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the no-CUDA message')
def test_benchmark_refuses_cuda_without_cuda(run_tool):
    run = run_tool('tools/analysis/benchmark_latency.py', PLACES2, '--device', 'cuda')
    assert_one_line_error(run, 'no CUDA device')


PROBE = """
import fcntl, os, sys
f = open(os.path.join(sys.argv[1], '.lock'), 'a+')
try:
    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    print('free')
except BlockingIOError:
    print('busy')
"""


def probe(work: Path) -> str:
    """Whether another process can take the lock of ``work`` now."""
    result = subprocess.run(
        [sys.executable, '-c', PROBE, str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_second_process_cannot_lock_the_work_dir(locked_work_dir):
    work, pid = locked_work_dir
    with pytest.raises(WorkDirLockedError, match=f'PID {pid}') as info:
        lock_work_dir(str(work))
    assert str(work) in str(info.value)


def test_lock_is_held_against_other_processes_until_released(tmp_path):
    work = tmp_path / 'w'
    assert lock_work_dir(str(work)) == str(work / '.lock')
    assert (work / '.lock').read_text().strip() == str(os.getpid())
    assert probe(work) == 'busy'
    assert lock_work_dir(str(work)) is not None  # same process again: no-op
    unlock_work_dir(str(work))
    assert probe(work) == 'free'
    assert lock_work_dir(str(work)) is not None  # a stale lock file is harmless
    unlock_work_dir(str(work))


def test_only_rank_0_locks(tmp_path, monkeypatch):
    monkeypatch.setenv('RANK', '1')
    assert lock_work_dir(str(tmp_path / 'w')) is None
    assert not (tmp_path / 'w' / '.lock').exists()


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py'])
def test_run_into_a_busy_work_dir_fails(
    tool, run_tool, locked_work_dir, demo_root, tmp_path
):
    work, pid = locked_work_dir
    cfg = tiny_cfg(DEMO, work, demo_root)
    config = tmp_path / 'tiny.py'
    cfg.dump(str(config))
    args = [str(config)]
    if tool == 'tools/test.py':
        checkpoint = tmp_path / 'model.pth'
        checkpoint.write_bytes(b'')  # never read: the lock fails first
        args += [str(checkpoint), '--work-dir', str(work)]  # default: work/test_model
    run = run_tool(tool, *args)
    assert_one_line_error(run, f'work dir {work} is in use', f'PID {pid}')
    assert not list(Path(work).glob('*/*.log'))  # no runner was built


@pytest.mark.slow
def test_real_script_without_data(tmp_path):
    """``python tools/train.py configs/mxt/mxt_places2.py`` without the data."""
    result = subprocess.run(
        [sys.executable, str(REPO / 'tools/train.py'), PLACES2],
        cwd=tmp_path,
        env={**os.environ, 'PYTHONPATH': str(REPO), 'OMP_NUM_THREADS': '1'},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr
    assert result.stdout == ''
    lines = result.stderr.splitlines()
    assert lines[0].startswith('error: 4 data path(s)')
    assert len(lines) == 6
