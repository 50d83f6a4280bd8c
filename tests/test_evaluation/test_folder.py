import importlib.util
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.evaluation import evaluate_folder
from inpaintzoo.evaluation.folder_io import read_rgb
from inpaintzoo.utils.errors import (
    FolderPairingError,
    ImageReadError,
    InvalidImageError,
    InvalidMaskError,
)

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


def test_unmatched_refused_by_default_reported_when_allowed(folders, tmp_path):
    write(folders / 'pred' / 'extra.png', np.zeros((32, 32, 3), np.uint8))
    with pytest.raises(FolderPairingError, match=r'3 predictions.*2 ground truths'):
        evaluate_folder(*dirs(folders), metrics=['L1'])
    result = evaluate_folder(*dirs(folders), metrics=['L1'], allow_unmatched=True)
    assert result.unmatched == {'pred': ['extra']}
    assert result.num_images == 2
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no file stem'):
        evaluate_folder(folders / 'pred', folders / 'gt', tmp_path / 'empty')


def test_size_mismatch_is_an_error(folders):
    write(folders / 'pred' / 'b.png', np.zeros((30, 32, 3), np.uint8))
    with pytest.raises(InvalidImageError, match=r'b\.png is 32x30'):
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
    saved = json.loads(out.read_text())
    report = saved['metrics']
    assert list(report) == ['overall', '0.01-20%', '40-60%']
    assert set(report['40-60%']) == {'PSNR', 'L1'}
    assert '20-40%' not in report
    assert saved['counts'] == {
        'scored': 2,
        'excluded': 0,
        'unmatched': 0,
        'per_group': {'overall': 2, '0.01-20%': 1, '40-60%': 1},
    }
    assert saved['mask_files'] == {'a': 'a.png', 'b': 'b.png'}
    printed = capsys.readouterr().out
    assert 'scored 2 image(s)' in printed
    assert 'overall' in printed
    header = next(line for line in printed.splitlines() if line.startswith('group'))
    assert header.split(' | ')[:2] == ['group   ', 'images']  # count column
    assert 'overall  |      2 |' in printed


# --- regressions of issue #7: silently wrong metrics -------------------------


def crop(data_dir, stem):
    """A 32x32 real-image crop per stem (asymmetric, so rotations show)."""
    src = {'a': 'celebahq/test1.png', 'b': 'places/test1.jpg'}.get(stem)
    base = read_rgb(data_dir / (src or 'celebahq/test2.png'))
    offset = 100 + 40 * (ord(stem) - ord('a'))
    return base[offset : offset + 32, offset : offset + 32].copy()


def make_set(root, data_dir, holes, noise=30):
    """GT crops, noisy predictions and white-hole masks with ``holes`` rows."""
    rng = np.random.default_rng(1)
    for stem, rows in holes.items():
        gt = crop(data_dir, stem)
        pred = np.clip(gt.astype(int) + rng.integers(-noise, noise, gt.shape), 0, 255)
        mask = np.zeros((32, 32), np.uint8)
        mask[:rows] = 255
        write(root / 'gt' / f'{stem}.png', gt)
        write(root / 'pred' / f'{stem}.png', pred.astype(np.uint8))
        (root / 'mask').mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / 'mask' / f'{stem}.png'), mask)
    return root


def test_exif_rotated_gt_jpeg_scores_as_stored(tmp_path, data_dir):
    root = make_set(tmp_path, data_dir, {'a': 8})
    (root / 'gt' / 'a.png').unlink()
    img = Image.fromarray(crop(data_dir, 'a'))
    exif = img.getexif()
    exif[274] = 3  # rotate 180 on display
    img.save(root / 'gt' / 'a.jpg', quality=95, exif=exif)
    stored = np.asarray(Image.open(root / 'gt' / 'a.jpg'))  # imageio/Pillow pixels
    write(root / 'pred' / 'a.png', stored)  # a perfect result
    result = evaluate_folder(*dirs(root), metrics=['PSNR', 'L1'])
    assert result.report['overall']['PSNR'] == 100.0  # old loader: ~15 dB
    assert result.report['overall']['L1'] == 0.0


def test_empty_mask_excluded_and_listed(tmp_path, data_dir):
    base = evaluate_folder(
        *dirs(make_set(tmp_path / 'two', data_dir, {'a': 4, 'b': 16}))
    )
    root = make_set(tmp_path / 'three', data_dir, {'a': 4, 'b': 16, 'c': 0})
    result = evaluate_folder(*dirs(root), metrics=['PSNR', 'SSIM', 'L1'])
    assert result.report == base.report  # 'c' (PSNR 100) changes no mean
    assert result.num_images == 2
    assert result.excluded == {'empty_mask': ['c']}
    assert result.counts == {'overall': 2, '0.01-20%': 1, '40-60%': 1}
    assert result.to_dict()['counts']['excluded'] == 1
    kept = evaluate_folder(*dirs(root), metrics=['PSNR'], include_empty_masks=True)
    assert kept.num_images == 3
    assert kept.excluded == {}
    assert kept.counts['overall'] == 3
    assert kept.report['overall']['PSNR'] > base.report['overall']['PSNR'] + 10
    assert any('empty mask' in note for note in kept.notes)


def test_all_masks_empty_is_an_error(tmp_path, data_dir):
    root = make_set(tmp_path, data_dir, {'a': 0})
    with pytest.raises(InvalidMaskError, match=r'no hole.*--mask-convention'):
        evaluate_folder(*dirs(root), metrics=['PSNR'])


def test_truncated_gt_jpeg_is_refused(tmp_path, data_dir):
    root = make_set(tmp_path, data_dir, {'a': 4, 'b': 16})
    rng = np.random.default_rng(2)
    noisy = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)  # large scan data
    Image.fromarray(noisy).save(root / 'gt' / 'b.jpg', quality=95)
    data = (root / 'gt' / 'b.jpg').read_bytes()
    (root / 'gt' / 'b.jpg').write_bytes(data[: len(data) * 2 // 3])
    (root / 'gt' / 'b.png').unlink()
    assert cv2.imread(str(root / 'gt' / 'b.jpg')) is not None  # cv2 scores it
    with pytest.raises(ImageReadError, match=r'b\.jpg'):
        evaluate_folder(*dirs(root), metrics=['PSNR'])


def test_zero_one_mask_with_black_hole(tmp_path, data_dir):
    root = make_set(tmp_path, data_dir, {'a': 4})
    known = np.ones((32, 32), np.uint8)  # 1 = known (white), 0 = hole
    known[:4] = 0
    cv2.imwrite(str(root / 'mask' / 'a.png'), known)
    result = evaluate_folder(*dirs(root), metrics=['L1'], mask_convention='black_hole')
    assert list(result.report) == ['overall', '0.01-20%']  # not all hole (60-100%)
    assert result.counts == {'overall': 1, '0.01-20%': 1}
    white = evaluate_folder(*dirs(make_set(tmp_path / 'w', data_dir, {'a': 4})))
    assert result.report['overall']['L1'] == pytest.approx(
        white.report['overall']['L1']
    )


def test_fewer_masks_than_images(tmp_path, data_dir):
    root = make_set(tmp_path, data_dir, {'a': 4, 'b': 16, 'c': 8, 'd': 24})
    for stem in ('c', 'd'):
        (root / 'mask' / f'{stem}.png').unlink()
    with pytest.raises(
        FolderPairingError,
        match=r'4 ground truths .*2 masks .*2 stem\(s\) have no mask',
    ):
        evaluate_folder(*dirs(root), metrics=['PSNR'])
    cyclic = evaluate_folder(*dirs(root), metrics=['PSNR'], mask_pairing='cyclic')
    assert cyclic.mask_files == {'a': 'a.png', 'b': 'b.png', 'c': 'a.png', 'd': 'b.png'}
    assert cyclic.num_images == 4
    assert cyclic.counts == {'overall': 4, '0.01-20%': 2, '40-60%': 2}
    assert any('i mod 2' in note for note in cyclic.notes)
    subset = evaluate_folder(*dirs(root), metrics=['PSNR'], allow_unmatched=True)
    assert subset.num_images == 2
    assert subset.unmatched == {'pred': ['c', 'd'], 'gt': ['c', 'd']}


def test_image_smaller_than_ssim_window_names_the_file(tmp_path):
    for sub in ('gt', 'pred'):
        write(tmp_path / sub / 'tiny.png', np.full((5, 5, 3), 80, np.uint8))
    mask = np.zeros((5, 5), np.uint8)
    mask[:2] = 255
    (tmp_path / 'mask').mkdir()
    cv2.imwrite(str(tmp_path / 'mask' / 'tiny.png'), mask)
    with pytest.raises(ImageReadError, match=r'tiny\.png is 5x5.*7x7.*SSIM'):
        evaluate_folder(*dirs(tmp_path), metrics=['PSNR', 'SSIM'])
    assert evaluate_folder(*dirs(tmp_path), metrics=['PSNR']).num_images == 1
