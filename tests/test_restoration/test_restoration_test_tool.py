"""``tools/test.py`` scores a restorer (no mask) and saves its outputs."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.evaluation.functional import psnr
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from tests.test_tools.conftest import load_tool

from .conftest import random_rgb, tiny_deblur_config, write_png


def test_tools_test_scores_a_restorer(tmp_path: Path, monkeypatch):
    rng = np.random.default_rng(0)
    for k in range(2):
        write_png(
            tmp_path / 'data' / 'test' / 'images' / f'p{k}.png', random_rgb(rng, 32, 32)
        )
    cfg = tiny_deblur_config()
    config = tmp_path / 'tiny.py'
    cfg.dump(str(config))
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    tool = load_tool('tools/test.py')
    base = [
        'test.py',
        str(config),
        str(ckpt),
        '--cfg-options',
        f'test_dataloader.dataset.data_root={tmp_path / "data"}',
        '--work-dir',
        str(tmp_path / 'work'),
    ]
    out = tmp_path / 'metrics.json'
    monkeypatch.setattr(
        sys, 'argv', [*base, '--out', str(out), '--save-images', str(tmp_path / 'o')]
    )
    tool.main()
    report = json.loads(out.read_text())
    assert report['counts']['overall'] == 2
    assert report['overall']['PSNR'] > 0
    assert sorted(p.name for p in (tmp_path / 'o').iterdir()) == ['p0.png', 'p1.png']
    # the saved pixels are the ones scored: RestorationMetric rounds, so must the hook
    rescored = [
        psnr(
            np.asarray(Image.open(tmp_path / 'o' / f'p{k}.png')),
            np.asarray(Image.open(tmp_path / 'data' / 'test' / 'images' / f'p{k}.png')),
        )
        for k in range(2)
    ]
    assert np.mean(rescored) == pytest.approx(report['overall']['PSNR'], abs=1e-9)
    monkeypatch.setattr(
        sys, 'argv', [*base, '--save-images', str(tmp_path / 'o'), '--save-inputs']
    )
    with pytest.raises(ConfigError, match='restorer'):
        tool.main()
