import importlib.util
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from inpaintzoo.evaluation import evaluate_folder
from inpaintzoo.evaluation.folder_io import read_rgb
from inpaintzoo.utils.errors import InvalidMaskError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))


def write(path, rgb):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


@pytest.fixture
def folders(tmp_path, data_dir):
    """Two GT crops, noisy 'results', white-hole masks of 12.5% and 50%."""
    rng = np.random.default_rng(0)
    gts = {
        'a': read_rgb(data_dir / 'celebahq/test1.png')[200:232, 200:232],
        'b': read_rgb(data_dir / 'places/test1.jpg')[100:132, 100:132],
    }
    for stem, gt in gts.items():
        noise = rng.integers(-40, 40, gt.shape)
        pred = np.clip(gt.astype(int) + noise, 0, 255).astype(np.uint8)
        mask = np.zeros((32, 32), np.uint8)
        mask[: 4 if stem == 'a' else 16] = 255
        write(tmp_path / 'gt' / f'{stem}.png', gt)
        write(tmp_path / 'pred' / f'{stem}.png', pred)
        (tmp_path / 'mask').mkdir(exist_ok=True)
        cv2.imwrite(str(tmp_path / 'mask' / f'{stem}.png'), mask)
    return tmp_path


def dirs(root):
    return root / 'pred', root / 'gt', root / 'mask'


def test_composite_changes_results_the_right_way(folders, empty_hub):
    comp = evaluate_folder(*dirs(folders))
    raw = evaluate_folder(*dirs(folders), composite=False)
    assert comp.num_images == 2
    assert list(comp.report) == ['overall', '0.01-20%', '40-60%']
    assert set(comp.report['overall']) == {'PSNR', 'SSIM', 'L1'}
    assert len(comp.skipped) == 2  # LPIPS and FID: no weights offline
    for group in comp.report:
        assert comp.report[group]['PSNR'] > raw.report[group]['PSNR']
        assert comp.report[group]['L1'] < raw.report[group]['L1']
        assert comp.report[group]['SSIM'] > raw.report[group]['SSIM']
    # composite L1 only sees the hole: 12.5% of the raw error for image 'a'
    ratio = comp.report['0.01-20%']['L1'] / raw.report['0.01-20%']['L1']
    assert ratio == pytest.approx(0.125, abs=0.03)


def test_unmatched_reported_and_nothing_matched(folders, tmp_path):
    write(folders / 'pred' / 'extra.png', np.zeros((32, 32, 3), np.uint8))
    result = evaluate_folder(*dirs(folders), metrics=['L1'])
    assert result.unmatched == {'pred': ['extra']}
    assert result.num_images == 2
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no file stem'):
        evaluate_folder(folders / 'pred', folders / 'gt', tmp_path / 'empty')


def test_size_mismatch_is_an_error(folders):
    write(folders / 'pred' / 'b.png', np.zeros((30, 32, 3), np.uint8))
    with pytest.raises(ValueError, match=r'b\.png is 32x30'):
        evaluate_folder(*dirs(folders), metrics=['PSNR'])
    write(folders / 'pred' / 'b.png', np.zeros((32, 32, 3), np.uint8))
    cv2.imwrite(str(folders / 'mask' / 'a.png'), np.zeros((16, 16), np.uint8))
    with pytest.raises(InvalidMaskError, match=r'a\.png is 16x16'):
        evaluate_folder(*dirs(folders), metrics=['PSNR'])


def test_requested_lpips_without_weights_raises(folders, empty_hub):
    with pytest.raises(FileNotFoundError, match='--lpips-weights'):
        evaluate_folder(*dirs(folders), metrics=['PSNR', 'LPIPS'])


def test_tool_writes_nested_json(folders, empty_hub, capsys):
    spec = importlib.util.spec_from_file_location(
        'evaluate_folder_tool', REPO / 'tools' / 'evaluate_folder.py'
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = folders / 'res' / 'metrics.json'
    args = [str(p) for p in dirs(folders)]
    assert tool.main([*args, '--metrics', 'PSNR', 'L1', '--out', str(out)]) == 0
    report = json.loads(out.read_text())
    assert list(report) == ['overall', '0.01-20%', '40-60%']
    assert set(report['40-60%']) == {'PSNR', 'L1'}
    assert '20-40%' not in report
    printed = capsys.readouterr().out
    assert 'scored 2 image(s)' in printed
    assert 'overall' in printed
