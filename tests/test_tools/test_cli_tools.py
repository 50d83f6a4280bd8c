"""End-to-end runs of tools/train.py, tools/test.py and 2-process gloo DDP (CPU)."""

import json
import sys
from pathlib import Path

import pytest
import torch

from tests.tiny_config import REPO, tiny_cfg, train_then_test
from tests.tiny_config import run_script as run

DEMO = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'


def write_tiny_config(tmp_path: Path, demo_root: Path, max_iters: int = 2) -> Path:
    cfg = tiny_cfg(DEMO, tmp_path / 'work', demo_root, max_iters=max_iters)
    path = tmp_path / 'tiny_hint.py'
    cfg.dump(str(path))
    return path


def test_train_then_test_cli(tmp_path, demo_root):
    config = write_tiny_config(tmp_path, demo_root)
    ckpt = tmp_path / 'work' / 'iter_2.pth'
    out = tmp_path / 'metrics.json'
    _, test = train_then_test(
        config,
        tmp_path,
        ckpt,
        ['--out', str(out), '--save-images', str(tmp_path / 'results')],
    )
    report = json.loads(out.read_text())
    assert next(iter(report)) == 'overall'
    assert {'PSNR', 'SSIM', 'L1'} <= set(report['overall'])
    assert {'0.01-20%', '20-40%', '40-60%'} <= set(report)
    saved = sorted(p.stem for p in (tmp_path / 'results').glob('*.png'))
    expected = sorted(p.stem for p in (demo_root / 'test' / 'images').glob('*.png'))
    assert saved == expected
    assert 'PSNR' in test.stdout


def test_test_cli_rejects_checkpoint_of_other_arch(tmp_path, demo_root):
    config = write_tiny_config(tmp_path, demo_root)
    foreign = tmp_path / 'foreign.pth'
    torch.save(
        {'state_dict': {'generator.encoder1.1.gate_conv.weight': torch.zeros(2)}},
        foreign,
    )
    result = run(
        [sys.executable, str(REPO / 'tools/test.py'), str(config), str(foreign)],
        tmp_path,
    )
    assert result.returncode == 2
    assert 'Traceback' not in result.stderr
    assert result.stderr.splitlines()[-1].startswith('error: ')
    assert 'another architecture' in result.stderr
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'\x00garbage')
    result = run(
        [sys.executable, str(REPO / 'tools/test.py'), str(config), str(corrupt)],
        tmp_path,
    )
    assert 'corrupt' in result.stderr


def run_ddp_training(config: Path, cwd: Path, port: int):
    return run(
        [
            sys.executable,
            '-m',
            'torch.distributed.run',
            '--nproc_per_node',
            '2',
            '--master_port',
            str(port),
            str(REPO / 'tools/train.py'),
            str(config),
            '--launcher',
            'pytorch',
        ],
        cwd,
        timeout=420,
    )


@pytest.mark.slow
def test_two_process_gloo_ddp_training(tmp_path, demo_root):
    config = write_tiny_config(tmp_path, demo_root, max_iters=2)
    # one retry: a gloo rank was once seen to abort (SIGABRT) on a loaded CI machine;
    # a DDP path that is really broken fails both attempts, with both logs shown
    logs = []
    for port in (29517, 29527):
        result = run_ddp_training(config, tmp_path, port)
        if result.returncode == 0:
            break
        logs.append(
            f'--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-6000:]}'
        )
    else:
        pytest.fail('2-process gloo training failed twice:\n' + '\n'.join(logs))
    log = result.stdout + result.stderr
    assert 'SeparateDDP' in log or 'world_size: 2' in log
    ckpt = torch.load(tmp_path / 'work' / 'iter_2.pth', weights_only=False)
    assert ckpt['meta']['iter'] == 2
    assert any(k.startswith('discriminator.') for k in ckpt['state_dict'])
    # single-device keys (SeparateDDP), loadable by test.py and a resumed run
    assert not any('.module.' in k for k in ckpt['state_dict'])
