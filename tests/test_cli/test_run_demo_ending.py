"""`tools/run_demo.py` ends with the console script; the figure path is last."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.apis.demo import DEMO_CONFIGS
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.config_paths import resolve_config

REPO = Path(__file__).resolve().parents[2]


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        'run_demo_tool', REPO / 'tools' / 'run_demo.py'
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_last_checkpoint_follows_the_pointer_else_the_highest_iteration(tmp_path):
    tool = _load_tool()
    for k in (2, 10, 9):
        (tmp_path / f'iter_{k}.pth').write_bytes(b'')
    assert tool.last_checkpoint(tmp_path) == tmp_path / 'iter_10.pth'
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_9.pth'))
    assert tool.last_checkpoint(tmp_path) == tmp_path / 'iter_9.pth'
    with pytest.raises(FileNotFoundError, match='no checkpoint'):
        tool.last_checkpoint(tmp_path / 'empty')


@pytest.mark.slow  # builds the demo model and inpaints 151 x 101 (~10 s, busy CPU)
def test_demo_ends_with_the_figure_path(tmp_path, monkeypatch, capsys):
    pytest.importorskip('inpaintzoo.apis.inference')
    tool = _load_tool()

    def fake_run_demo(model, data_root, work_root, max_iters):
        """Stand-in for the training: a random checkpoint of the demo model."""
        cfg = Config.fromfile(str(resolve_config(DEMO_CONFIGS[model])))
        init_default_scope('inpaintzoo')
        torch.manual_seed(0)
        net = MODELS.build(cfg.model)
        work = Path(work_root) / model
        work.mkdir(parents=True, exist_ok=True)
        torch.save(dict(state_dict=net.state_dict()), work / 'iter_3.pth')
        (work / 'last_checkpoint').write_text(str(work / 'iter_3.pth'))
        return {}

    monkeypatch.setattr(tool, 'run_demo', fake_run_demo)
    work_root = tmp_path / 'work'
    monkeypatch.setattr(
        sys, 'argv', ['run_demo.py', '--work-root', str(work_root), '--iters', '3']
    )
    tool.main()
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == str(work_root / 'picture' / 'figure.png')
    fig = np.asarray(Image.open(last))
    assert fig.ndim == 3
    assert fig.shape[1] > 4 * 151
