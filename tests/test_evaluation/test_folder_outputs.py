"""Saved PNGs hold what the metric scores; per-image CSV; progress; --compare plots."""

import json
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch

from inpaintzoo.engine.hooks import SaveInpaintedImagesHook, TestProgressHook
from inpaintzoo.evaluation import evaluate_folder
from inpaintzoo.evaluation.compare_plot import load_result, plot_comparison
from inpaintzoo.evaluation.functional import chw_to_hwc, quantize_official
from inpaintzoo.evaluation.per_image import read_scores_csv, write_scores_csv
from inpaintzoo.utils.errors import ConfigError
from tests.test_tools.conftest import load_tool


def test_saved_png_is_the_truncated_image_psnr_scores(tmp_path):
    # 0.7/255 above each level: rounding gives k + 1, the metric truncates to k
    levels = torch.arange(48, dtype=torch.float32).reshape(3, 4, 4)
    img = (levels * 5 + 0.7) / 255
    path = tmp_path / 'a.png'
    hook = SaveInpaintedImagesHook()  # an inpainting test: the default rule
    hook._write(path, img)
    saved = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert np.array_equal(saved, quantize_official(chw_to_hwc(img)))
    assert np.array_equal(saved, chw_to_hwc(levels * 5).astype(np.uint8))
    hook.quantize = 'round'  # a restorer's RestorationMetric rounds
    hook._write(path, img)
    saved = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert np.array_equal(saved, chw_to_hwc(levels * 5 + 1).astype(np.uint8))


def test_every_uint8_level_survives_the_folder_round_trip():
    # evaluate_folder reads k, scores quantize_official(k / 255): must give k back
    k = np.arange(256, dtype=np.uint8)
    assert np.array_equal(quantize_official(k.astype(np.float32) / 255.0), k)


def write(path: Path, rgb: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


@pytest.fixture
def folders(tmp_path):
    rng = np.random.default_rng(0)
    for stem, rows in (('a', 2), ('b', 8), ('c', 0)):
        gt = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
        pred = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
        mask = np.zeros((16, 16), np.uint8)
        mask[:rows] = 255
        write(tmp_path / 'gt' / f'{stem}.png', gt)
        write(tmp_path / 'pred' / f'{stem}.png', pred)
        (tmp_path / 'mask').mkdir(exist_ok=True)
        cv2.imwrite(str(tmp_path / 'mask' / f'{stem}.png'), mask)
    return tmp_path


def dirs(root: Path) -> list[str]:
    return [str(root / 'pred'), str(root / 'gt'), str(root / 'mask')]


def test_per_image_rows_average_to_the_report(folders):
    result = evaluate_folder(*dirs(folders), metrics=('PSNR', 'SSIM', 'L1'))
    rows = {r['stem']: r for r in result.per_image}
    assert rows['a']['mask_ratio'] == 0.125
    assert rows['a']['bucket'] == '0.01-20%'
    assert rows['b']['bucket'] == '40-60%'
    assert rows['c'] == dict(stem='c', mask_ratio=0.0, bucket='', excluded='empty_mask')
    for name in ('PSNR', 'SSIM', 'L1'):
        mean = np.mean([rows['a'][name], rows['b'][name]])
        assert result.report['overall'][name] == pytest.approx(mean, abs=1e-12)
        assert result.report['40-60%'][name] == rows['b'][name]


def test_csv_round_trips_bit_identical(folders, tmp_path):
    result = evaluate_folder(*dirs(folders), metrics=('PSNR', 'L1'))
    path = write_scores_csv(result.per_image, tmp_path / 'out' / 's.csv')
    header = path.read_text().splitlines()[0]
    assert header == 'stem,mask_ratio,bucket,PSNR,L1,excluded'
    assert read_scores_csv(path) == result.per_image


def test_restorer_rows_have_no_mask_columns(tmp_path):
    # a restorer's samples have no mask: mask_ratio NaN, no bucket, never excluded
    rows = [
        dict(stem='GOPR0001_11_00_000001', mask_ratio=float('nan'), bucket='',
             PSNR=30.5, SSIM=0.95),
        dict(stem='GOPR0002_11_01_000001', mask_ratio=float('nan'), bucket='',
             PSNR=31.0, SSIM=0.96),
    ]  # fmt: skip
    path = write_scores_csv(rows, tmp_path / 'r.csv')
    assert path.read_text().splitlines()[0] == 'stem,PSNR,SSIM'
    assert read_scores_csv(path) == [
        {k: r[k] for k in ('stem', 'PSNR', 'SSIM')} for r in rows
    ]
    masked = [dict(rows[0], mask_ratio=0.25), rows[1]]  # one masked row: all columns
    header = write_scores_csv(masked, tmp_path / 'm.csv').read_text().splitlines()[0]
    assert header == 'stem,mask_ratio,bucket,PSNR,SSIM,excluded'


def test_results_without_a_bucket_stay_in_the_folder(tmp_path):
    from inpaintzoo.structures.inpaint_sample import InpaintSample

    def sample(idx: int, bucket: str | None) -> InpaintSample:
        meta = dict(img_path=f'/d/{idx % 2}/000001.png', sample_idx=idx)
        if bucket:
            meta['mask_bucket'] = bucket
        out = InpaintSample(metainfo=meta)
        out.pred_img = torch.full((3, 4, 4), idx / 10)
        return out

    hook = SaveInpaintedImagesHook(out_dir='res')
    hook.by_bucket = True  # stems repeat (the same file name twice)
    runner = SimpleNamespace(work_dir=str(tmp_path))
    hook.after_test_iter(runner, 0, outputs=[sample(0, None), sample(1, None)])
    hook.after_test_iter(runner, 1, outputs=[sample(2, '20-40%')])
    written = sorted(p.relative_to(tmp_path / 'res').as_posix()
                     for p in (tmp_path / 'res').rglob('*.png'))  # fmt: skip
    # no 'no-bucket' folder: a restorer's outputs have no bucket
    assert written == ['000001.png', '000001_1.png', '20-40%/000001.png']


def test_buckets_option_overrides_the_hole_ratio(folders):
    result = evaluate_folder(
        *dirs(folders), metrics=('L1',), buckets={'a': '20-40%', 'c': '20-40%'}
    )
    assert result.counts == {'overall': 2, '20-40%': 1, '40-60%': 1}
    assert result.excluded == {'empty_mask': ['c']}  # no hole stays excluded


def test_tool_writes_csv_and_progress_to_stderr(folders, tmp_path, capsys):
    tool = load_tool('tools/evaluate_folder.py')
    csv = tmp_path / 'scores.csv'
    assert tool.main([*dirs(folders), '--metrics', 'PSNR', '--csv', str(csv)]) == 0
    captured = capsys.readouterr()
    assert '3/3' in captured.err
    assert f'per-image scores written to {csv}' in captured.out
    assert [r['stem'] for r in read_scores_csv(csv)] == ['a', 'b', 'c']
    assert tool.main([*dirs(folders), '--metrics', 'PSNR', '--no-progress']) == 0
    assert capsys.readouterr().err == ''


@pytest.mark.parametrize(
    ('spelling', 'same_as'),
    [('hole-white', 'white_hole'), ('known-white', 'black_hole'), ('black_hole', None)],
)
def test_tool_takes_both_mask_convention_spellings(
    folders, tmp_path, spelling, same_as
):
    """``inpaintzoo inpaint``'s names work here too (its results are scored here)."""
    tool = load_tool('tools/evaluate_folder.py')
    out = tmp_path / f'{spelling}.json'
    args = [*dirs(folders), '--metrics', 'L1', '--no-progress', '--out', str(out)]
    assert tool.main([*args, '--mask-convention', spelling]) == 0
    convention = same_as or spelling
    expected = evaluate_folder(
        *dirs(folders), metrics=['L1'], mask_convention=convention
    )
    assert (
        json.loads(out.read_text())['metrics']['overall'] == expected.report['overall']
    )
    if convention == 'black_hole':  # the holes are the other rows: other counts
        white = evaluate_folder(*dirs(folders), metrics=['L1'])
        assert expected.counts != white.counts


def report_json(path: Path, psnr: float, folder_format: bool) -> Path:
    report = {'overall': {'PSNR': psnr, 'L1': 2.0}, '20-40%': {'PSNR': psnr - 1}}
    counts = {'overall': 5, '20-40%': 2}
    data = (
        {'metrics': report, 'counts': {'per_group': counts}}
        if folder_format
        else {**report, 'counts': counts}
    )
    path.write_text(json.dumps(data))
    return path


def test_compare_reads_both_formats_and_plots(tmp_path, capsys):
    a = report_json(tmp_path / 'hint.json', 30.0, folder_format=True)
    b = report_json(tmp_path / 'mxt.json', 31.0, folder_format=False)
    _, counts_a = load_result(a)
    report_b, counts_b = load_result(b)
    assert counts_a == counts_b == {'overall': 5, '20-40%': 2}
    assert report_b == {'overall': {'PSNR': 31.0, 'L1': 2.0}, '20-40%': {'PSNR': 30.0}}
    plot = tmp_path / 'cmp.png'
    tool = load_tool('tools/evaluate_folder.py')
    assert tool.main(['--compare', str(a), str(b), '--plot', str(plot)]) == 0
    out = capsys.readouterr().out
    assert 'hint' in out
    assert 'mxt' in out
    assert '31.0000' in out
    image = cv2.imread(str(plot))
    assert image is not None
    assert image.shape[1] > image.shape[0]  # two metric panels side by side


def test_compare_errors_name_the_problem(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('[1, 2]')
    with pytest.raises(ConfigError, match=r'bad\.json'):
        load_result(bad)
    tool = load_tool('tools/evaluate_folder.py')
    good = report_json(tmp_path / 'a.json', 30.0, folder_format=True)
    with pytest.raises(ConfigError, match='--labels has 2'):
        tool.main(['--compare', str(good), '--labels', 'x', 'y'])
    with pytest.raises(ConfigError, match='--plot needs --compare'):
        tool.main(['p', 'g', 'm', '--plot', 'x.png'])


def test_plot_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith('matplotlib'):
            raise ImportError('No module named matplotlib')
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', no_matplotlib)
    with pytest.raises(ImportError, match='optional dependency: pip install'):
        plot_comparison(['a'], [{'overall': {'PSNR': 1.0}}], tmp_path / 'x.png')


def test_progress_hook_reports_total_rate_and_eta(monkeypatch):
    lines = []
    monkeypatch.setattr(
        'inpaintzoo.engine.hooks.progress_hook.print_log',
        lambda msg, logger=None: lines.append(msg),
    )
    loader_cls = type('Loader', (list,), {'sampler': range(40), 'dataset': range(40)})
    runner = SimpleNamespace(test_loop=SimpleNamespace(dataloader=loader_cls([0] * 20)))
    hook = TestProgressHook()
    hook.before_test_epoch(runner)
    assert lines == ['test: 40 image(s) in 20 batch(es)']
    for i in range(20):
        hook.after_test_iter(runner, i, outputs=[0, 0])
    assert len(lines) == 1 + 20  # every batch: 20 batches // 20
    assert lines[-1].startswith('test: 40/40 images (100%)')
    assert 'img/s' in lines[-1]
    hook._done = 10
    assert hook.progress_line(5.0).endswith('2.0 img/s, elapsed 0:05, ETA 0:15')
    with pytest.raises(ValueError, match='interval'):
        TestProgressHook(interval=0)
