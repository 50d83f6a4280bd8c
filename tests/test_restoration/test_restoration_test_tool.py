"""``tools/test.py`` scores a restorer (no mask) and saves its outputs."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.evaluation.functional import psnr, ssim_matlab
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


def test_gopro_results_and_csv_rows_name_the_sequence(
    tmp_path: Path, monkeypatch, gopro_root: Path
):
    # frames are numbered per sequence: 000000.png exists in both test sequences
    cfg = tiny_deblur_config()
    cfg.test_dataloader.dataset = dict(
        type='PairedImageDataset',
        layout='gopro',
        data_root=str(gopro_root),
        split='test',
        pipeline=[dict(type='LoadPairedImages'), dict(type='PackRestorationInputs')],
    )
    config = tmp_path / 'tiny_gopro.py'
    cfg.dump(str(config))
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    ckpt = tmp_path / 'tiny.pth'
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    saved, scores = tmp_path / 'saved', tmp_path / 'scores.csv'
    argv = ['test.py', str(config), str(ckpt), '--work-dir', str(tmp_path / 'w')]
    argv += ['--save-images', str(saved), '--csv', str(scores)]
    monkeypatch.setattr(sys, 'argv', argv)
    load_tool('tools/test.py').main()
    stems = [
        f'{seq}_{frame:06d}'
        for seq in ('GOPR0001_11_00', 'GOPR0002_11_01')
        for frame in range(2)
    ]
    # one flat folder (no bucket folder for a restorer), one file per pair
    assert sorted(p.name for p in saved.iterdir()) == [f'{s}.png' for s in stems]
    with scores.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ['stem', 'PSNR', 'SSIM']  # no mask columns
    assert [r['stem'] for r in rows] == stems
    for row in rows:  # each row is its saved file, scored as the metric did
        seq, frame = row['stem'].rsplit('_', 1)
        out = np.asarray(Image.open(saved / f'{row["stem"]}.png'))
        sharp = np.asarray(
            Image.open(gopro_root / 'test' / seq / 'sharp' / f'{frame}.png')
        )
        assert float(row['PSNR']) == pytest.approx(psnr(out, sharp), abs=1e-9)
        assert float(row['SSIM']) == pytest.approx(ssim_matlab(out, sharp), abs=1e-9)
