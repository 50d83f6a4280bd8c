"""tools/test.py needs only the test data: the training folder may be missing."""

import json
import shutil
import sys
from pathlib import Path

from tests.tiny_config import REPO, run_script, write_random_tiny_hint


def test_test_tool_runs_without_training_data(tmp_path: Path, demo_root: Path) -> None:
    config, ckpt = write_random_tiny_hint(tmp_path / 'tiny.py', tmp_path / 'tiny.pth')
    data = tmp_path / 'only_test'
    shutil.copytree(demo_root / 'test', data / 'test')  # no train/ or val/ folder
    out, csv = tmp_path / 'metrics.json', tmp_path / 'scores.csv'
    run = run_script(
        [
            sys.executable,
            str(REPO / 'tools/test.py'),
            str(config),
            str(ckpt),
            '--work-dir',
            str(tmp_path / 'work'),
            '--out',
            str(out),
            '--csv',
            str(csv),
            '--cfg-options',
            f'test_dataloader.dataset.data_root={data}',
            f'train_dataloader.dataset.data_root={tmp_path / "missing"}',
            f'val_dataloader.dataset.data_root={tmp_path / "missing"}',
        ],
        tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert 'overall' in json.loads(out.read_text())
    assert len(csv.read_text().splitlines()) > 1  # header + rows
    table = [line for line in run.stdout.splitlines() if line.startswith('overall')]
    assert table, run.stdout[-2000:]
    # the visualization hook still wrote the test grid (step 0: no train loop)
    assert list((tmp_path / 'work').rglob('test_grid_0.png'))
