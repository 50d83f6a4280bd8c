"""Atomic checkpoint saving and auto-resume that skips partial files."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from mmengine.fileio import LocalBackend
from mmengine.logging import MMLogger

from inpaintzoo.engine.checkpoint import check_checkpoint_integrity
from inpaintzoo.engine.latest_checkpoint import find_latest_valid_checkpoint
from inpaintzoo.utils.errors import CheckpointMismatchError
from tests.test_engine.toy_runner import ToyModel, toy_runner

TOY_SCRIPT = Path(__file__).with_name('toy_runner.py')


def _step_files(work_dir: Path) -> list[str]:
    return sorted(p.name for p in work_dir.glob('iter_*'))


def _last_checkpoint(work_dir: Path) -> str:
    return Path((work_dir / 'last_checkpoint').read_text()).name


def test_keeps_only_the_newest_and_no_temp_files(tmp_path):
    runner = toy_runner(tmp_path, max_iters=3, max_keep_ckpts=2)
    runner.train()
    assert _step_files(tmp_path) == ['iter_2.pth', 'iter_3.pth']
    assert _last_checkpoint(tmp_path) == 'iter_3.pth'
    ckpt = torch.load(tmp_path / 'iter_3.pth', weights_only=False)
    assert ckpt['message_hub']['runtime_info']['keep_ckpt_ids'] == [2, 3]


def test_crash_during_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    """max_keep_ckpts=1: MMEngine deleted iter_1 before writing iter_2."""
    original = LocalBackend.put
    saves = []

    def put_then_crash(self, obj, filepath):
        saves.append(filepath)
        if len(saves) < 2:
            return original(self, obj, filepath)
        Path(filepath).write_bytes(obj[: len(obj) // 2])
        raise OSError('disk pulled out during the save')

    monkeypatch.setattr(LocalBackend, 'put', put_then_crash)
    with pytest.raises(OSError, match='disk pulled out'):
        toy_runner(tmp_path, max_iters=3, max_keep_ckpts=1).train()
    assert _step_files(tmp_path) == ['iter_1.pth']
    assert _last_checkpoint(tmp_path) == 'iter_1.pth'
    check_checkpoint_integrity(tmp_path / 'iter_1.pth')


def test_stale_temp_files_are_removed_at_start(tmp_path):
    dead_pid = subprocess.Popen([sys.executable, '-c', '']).pid
    os.waitpid(dead_pid, 0)
    stale = tmp_path / f'iter_7.pth.tmp-{dead_pid}'
    stale.write_bytes(b'PK\x03\x04 half a checkpoint')
    mine = tmp_path / f'notes.txt.tmp-{os.getpid()}'
    mine.write_text('a live process is still writing this')
    toy_runner(tmp_path, max_iters=1).train()
    assert not stale.exists()
    assert mine.exists()


def _write(path: Path, value: float) -> Path:
    torch.save({'state_dict': {'w': torch.full((100,), value)}}, path)
    return path


def test_find_latest_valid_skips_truncated_last_checkpoint(tmp_path):
    _write(tmp_path / 'iter_1.pth', 1.0)
    good = _write(tmp_path / 'iter_2.pth', 2.0)
    partial = _write(tmp_path / 'iter_3.pth', 3.0)
    partial.write_bytes(partial.read_bytes()[:300])
    (tmp_path / 'last_checkpoint').write_text(str(partial))
    logger = MMLogger.get_current_instance()
    records = []
    logger.addFilter(lambda r: records.append(r.getMessage()) or True)
    assert find_latest_valid_checkpoint(tmp_path) == str(good)
    assert any(
        'skipping' in m and 'iter_3.pth' in m and 'truncated' in m for m in records
    ), records


def test_find_latest_valid_handles_missing_and_empty(tmp_path):
    assert find_latest_valid_checkpoint(tmp_path) is None
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_9.pth'))
    (tmp_path / 'iter_4.pth').touch()
    only = _write(tmp_path / 'iter_10.pth', 0.0)
    only.unlink()
    assert find_latest_valid_checkpoint(tmp_path) is None
    _write(tmp_path / 'iter_2.pth', 2.0)
    assert find_latest_valid_checkpoint(tmp_path) == str(tmp_path / 'iter_2.pth')


def test_copied_work_dir_resumes_its_own_checkpoint(tmp_path):
    """A fork (``cp -r a b``) whose ``last_checkpoint`` still names ``a``."""
    a, b = tmp_path / 'a', tmp_path / 'b'
    a.mkdir()
    b.mkdir()
    _write(a / 'iter_6.pth', 6.0)  # a went on after the copy
    (a / 'last_checkpoint').write_text(str(a / 'iter_6.pth'))
    own = _write(b / 'iter_4.pth', 4.0)
    (b / 'last_checkpoint').write_text(str(a / 'iter_4.pth'))  # a's old pointer
    logger = MMLogger.get_current_instance()
    records = []
    logger.addFilter(lambda r: records.append(r.getMessage()) or True)
    assert find_latest_valid_checkpoint(b) == str(own)
    assert any('outside the work dir' in m and str(own) in m for m in records)
    _write(a / 'iter_4.pth', 4.5)  # the named file exists too: still b's own
    assert find_latest_valid_checkpoint(b) == str(own)
    own.unlink()
    assert find_latest_valid_checkpoint(b) is None  # never a's files


def test_out_dir_layout_still_resumes(tmp_path):
    """``CheckpointHook(out_dir=X)`` saves into ``X/<work dir name>``."""
    work = tmp_path / 'work' / 'exp'
    saved = tmp_path / 'out' / 'exp'
    work.mkdir(parents=True)
    saved.mkdir(parents=True)
    ckpt = _write(saved / 'iter_2.pth', 2.0)
    (work / 'last_checkpoint').write_text(str(ckpt))
    assert find_latest_valid_checkpoint(work) == str(ckpt)


def test_auto_resume_falls_back_past_partial_file(tmp_path):
    toy_runner(tmp_path, max_iters=2, max_keep_ckpts=5).train()
    partial = tmp_path / 'iter_3.pth'
    partial.write_bytes((tmp_path / 'iter_2.pth').read_bytes()[:500])
    (tmp_path / 'last_checkpoint').write_text(str(partial))
    runner = toy_runner(tmp_path, max_iters=4, max_keep_ckpts=5, resume=True)
    runner.train()
    assert runner.iter == 4
    ckpt = torch.load(tmp_path / 'iter_4.pth', weights_only=False)
    assert ckpt['meta']['iter'] == 4
    assert _last_checkpoint(tmp_path) == 'iter_4.pth'


def test_explicit_resume_of_partial_file_names_it(tmp_path):
    toy_runner(tmp_path, max_iters=1).train()
    partial = tmp_path / 'copy.pth'
    partial.write_bytes((tmp_path / 'iter_1.pth').read_bytes()[:500])
    runner = toy_runner(tmp_path / 'b', max_iters=2, resume=str(partial))
    with pytest.raises(RuntimeError, match=r'copy\.pth is corrupt or truncated'):
        runner.train()


@pytest.mark.slow
def test_kill_9_during_save_leaves_a_resumable_checkpoint(tmp_path):
    """A real SIGKILL in the middle of writing iter_2 (max_keep_ckpts=1)."""
    child = subprocess.Popen(
        [sys.executable, str(TOY_SCRIPT), str(tmp_path), '2'],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / 'hanging').exists():
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, 'the child never reached the save'
            time.sleep(0.1)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _step_files(tmp_path) == ['iter_1.pth', f'iter_2.pth.tmp-{child.pid}']
    assert _last_checkpoint(tmp_path) == 'iter_1.pth'

    runner = toy_runner(tmp_path, max_iters=3, max_keep_ckpts=1, resume=True)
    runner.train()
    assert runner.iter == 3
    assert _step_files(tmp_path) == ['iter_3.pth']


class RunsCode:
    """Unpickling this creates ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f'open({str(self.path)!r}, "w").write("pwned")',))


def test_runner_resume_of_a_file_with_code_refuses_it(tmp_path):
    shared = tmp_path / 'downloaded_work_dir'
    shared.mkdir()
    evil = shared / 'iter_1.pth'
    torch.save({'meta': {}, 'state_dict': {}, 'x': RunsCode(tmp_path / 'ran')}, evil)
    (shared / 'last_checkpoint').write_text(str(evil))
    for resume in (True, str(evil)):
        runner = toy_runner(shared, max_iters=2, resume=resume)
        with pytest.raises(RuntimeError, match='refusing to load checkpoint'):
            runner.train()
    assert not (tmp_path / 'ran').exists()


def _best_hook(tmp_path):
    """A trained toy runner (iter 3) and a ``save_best='PSNR'`` hook set up on it."""
    from inpaintzoo.engine.hooks.checkpoint_hook import AtomicCheckpointHook

    runner = toy_runner(tmp_path, max_iters=3, max_keep_ckpts=1)
    runner.train()
    hook = AtomicCheckpointHook(
        interval=1, by_epoch=False, save_best='PSNR', rule='greater'
    )
    hook.before_train(runner)
    hook._save_best_checkpoint(runner, {'PSNR': 20.0})
    assert (tmp_path / 'best_PSNR_iter_3.pth').is_file()
    runner.train_loop._iter = 5  # the next validation, two iterations later
    return runner, hook


def test_new_best_checkpoint_replaces_the_old_one(tmp_path):
    runner, hook = _best_hook(tmp_path)
    hook._save_best_checkpoint(runner, {'PSNR': 21.0})
    assert sorted(p.name for p in tmp_path.glob('best_*')) == ['best_PSNR_iter_5.pth']
    assert not list(tmp_path.glob('*.tmp-*'))
    ckpt = torch.load(tmp_path / 'best_PSNR_iter_5.pth', weights_only=False)
    info = ckpt['message_hub']['runtime_info']
    assert info['best_score'] == 21.0
    assert info['best_ckpt'] == str(tmp_path / 'best_PSNR_iter_5.pth')
    hook._save_best_checkpoint(runner, {'PSNR': 19.0})  # worse: nothing changes
    assert sorted(p.name for p in tmp_path.glob('best_*')) == ['best_PSNR_iter_5.pth']


def test_crash_during_best_save_keeps_the_previous_best(tmp_path, monkeypatch):
    """MMEngine deleted the previous best before it wrote the new one."""
    runner, hook = _best_hook(tmp_path)
    original = runner.save_checkpoint

    def save_then_crash(out_dir, filename, *args, **kwargs):
        original(out_dir, filename, *args, **kwargs)
        path = Path(out_dir) / filename
        path.write_bytes(path.read_bytes()[:100])  # half written
        raise OSError('disk pulled out during the save')

    monkeypatch.setattr(runner, 'save_checkpoint', save_then_crash)
    with pytest.raises(OSError, match='disk pulled out'):
        hook._save_best_checkpoint(runner, {'PSNR': 21.0})
    assert sorted(p.name for p in tmp_path.glob('best_*')) == ['best_PSNR_iter_3.pth']
    check_checkpoint_integrity(tmp_path / 'best_PSNR_iter_3.pth')
    assert hook.best_ckpt_path == str(tmp_path / 'best_PSNR_iter_3.pth')
    assert runner.message_hub.get_info('best_score') == 20.0


def test_resume_from_a_weights_only_file_names_what_is_missing(tmp_path):
    """A published (state-dict-only) file cannot be resumed from: clear refusal."""
    weights = tmp_path / 'published.pth'
    torch.save({'state_dict': ToyModel().state_dict()}, weights)
    runner = toy_runner(tmp_path / 'run', max_iters=2, resume=str(weights))
    with pytest.raises(
        CheckpointMismatchError,
        match=r'cannot resume from .*published\.pth: it has no meta, optimizer, '
        r'message_hub.*load_from=',
    ):
        runner.train()
