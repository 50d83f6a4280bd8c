"""``tools/test.py --save-images`` output re-scored by evaluate_folder agrees.

A tiny random HINT on the demo data: holes hold arbitrary floats, so rounding
instead of the metric's truncation when saving changes PSNR/SSIM.
"""

import json
import sys
from pathlib import Path

import pytest
import torch

from inpaintzoo.apis.runner_setup import build_runner
from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.evaluation import evaluate_folder
from inpaintzoo.evaluation.per_image import read_scores_csv
from inpaintzoo.evaluation.report import metrics_to_report
from inpaintzoo.utils.errors import ConfigError
from tests.test_tools.conftest import load_tool
from tests.tiny_config import tiny_cfg

DEMO = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'
#: L1 is scored on the unquantised floats by the test loop and on the saved
#: 8-bit values by evaluate_folder: per hole value they differ by < 1/255.
L1_BOUND = 100 / 255


@pytest.fixture(scope='module')
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('demo')
    prepare_demo_data(root, size=32)
    return root


def tiny(tmp_path: Path, demo: Path):
    cfg = tiny_cfg(DEMO, tmp_path / 'work', demo)
    for step in cfg.test_dataloader.dataset.pipeline:
        if step.type == 'CenterCropResize':
            step.size = 32
    return cfg


def by_stem(rows: list[dict]) -> dict[str, dict]:
    return {row['stem']: row for row in rows}


@pytest.mark.slow
def test_saved_images_rescore_to_the_test_loop_psnr_ssim(tmp_path, demo):
    torch.manual_seed(0)
    cfg = tiny(tmp_path, demo)
    out = tmp_path / 'results'
    cfg.custom_hooks = [
        dict(type='SaveInpaintedImagesHook', out_dir=str(out), save_inputs=True),
        dict(type='PerImageScoresHook', out_file=str(tmp_path / 'loop.csv')),
    ]
    loop = metrics_to_report(build_runner(cfg).test())
    loop_rows = by_stem(read_scores_csv(tmp_path / 'loop.csv'))
    assert len(loop_rows) == 8
    buckets = {stem: row['bucket'] for stem, row in loop_rows.items()}
    folder = evaluate_folder(
        out, out / 'gt', out / 'masks', metrics=('PSNR', 'SSIM', 'L1'), buckets=buckets
    )
    assert list(folder.report) == list(loop)
    for group, row in loop.items():
        for name in ('PSNR', 'SSIM'):
            assert folder.report[group][name] == pytest.approx(row[name], abs=1e-9)
    for stem, row in by_stem(folder.per_image).items():
        ref = loop_rows[stem]
        assert row['bucket'] == ref['bucket']
        assert row['mask_ratio'] == pytest.approx(ref['mask_ratio'], abs=1e-12)
        assert row['PSNR'] == pytest.approx(ref['PSNR'], abs=1e-9)
        assert row['SSIM'] == pytest.approx(ref['SSIM'], abs=1e-9)
        # documented difference: L1 of the 8-bit file vs L1 of the floats
        assert abs(row['L1'] - ref['L1']) < L1_BOUND * ref['mask_ratio']


@pytest.mark.slow
def test_test_tool_csv_progress_and_rescore_cli(tmp_path, demo, monkeypatch, capsys):
    torch.manual_seed(0)
    cfg = tiny(tmp_path, demo)
    cfg.default_hooks.logger.interval = 1000  # only the progress hook reports
    config = tmp_path / 'tiny.py'
    cfg.dump(str(config))
    ckpt = tmp_path / 'model.pth'
    torch.save({'state_dict': build_runner(cfg).model.state_dict()}, ckpt)
    out, loop_json, loop_csv = (
        tmp_path / 'res',
        tmp_path / 'loop.json',
        tmp_path / 'l.csv',
    )
    test_tool = load_tool('tools/test.py')
    monkeypatch.setattr(
        sys,
        'argv',
        [
            'test.py',
            str(config),
            str(ckpt),
            '--save-images',
            str(out),
            '--save-inputs',
            '--csv',
            str(loop_csv),
            '--out',
            str(loop_json),
            '--progress-interval',
            '4',
        ],
    )
    test_tool.main()
    loop = json.loads(loop_json.read_text())
    assert next(iter(loop)) == 'overall'
    assert loop['counts']['overall'] == 8
    assert loop['counts']['20-40%'] == 3
    # build_runner above wrote a log of its own: read every run's log (rglob's
    # order is the file system's, not the runs')
    log = '\n'.join(p.read_text() for p in (tmp_path / 'work').rglob('*.log'))
    assert 'test: 8 image(s) in 8 batch(es)' in log
    assert 'test: 4/8 images (50%)' in log
    assert 'test: 8/8 images (100%)' in log
    capsys.readouterr()
    folder_json = tmp_path / 'folder.json'
    argv = [str(out), str(out / 'gt'), str(out / 'masks'), '--metrics', 'PSNR']
    argv += ['SSIM', '--buckets', str(loop_csv), '--out', str(folder_json)]
    assert load_tool('tools/evaluate_folder.py').main(argv) == 0
    assert '8/8' in capsys.readouterr().err  # progress bar on stderr
    folder = json.loads(folder_json.read_text())
    assert folder['counts']['per_group'] == {
        k: v for k, v in loop['counts'].items() if k != 'excluded_empty_mask'
    }
    for group, row in folder['metrics'].items():
        for name, value in row.items():
            assert value == pytest.approx(loop[group][name], abs=1e-9)


@pytest.mark.slow
def test_per_bucket_test_saves_every_result_and_rescores_per_bucket(tmp_path, demo):
    """Paper configs score each image once per bucket: no result overwrites another."""
    from inpaintzoo.datasets.masks.bucket import mask_bucket
    from inpaintzoo.utils.mask_io import read_mask

    masks = tmp_path / 'bucketed'
    for path in sorted((demo / 'test' / 'masks').glob('*.png')):
        label = mask_bucket(read_mask(path))
        (masks / label).mkdir(parents=True, exist_ok=True)
        (masks / label / path.name).write_bytes(path.read_bytes())
    labels = sorted(p.name for p in masks.iterdir())
    assert len(labels) >= 2  # the same image is scored in several buckets
    torch.manual_seed(0)
    cfg = tiny(tmp_path, demo)
    cfg.test_dataloader.dataset.update(
        mask_source=str(masks),
        mask_mode='paired_per_bucket',
        buckets=labels,
        mask_pairing='cyclic',
    )
    out = tmp_path / 'results'
    cfg.custom_hooks = [
        dict(type='SaveInpaintedImagesHook', out_dir=str(out), save_inputs=True),
        dict(type='PerImageScoresHook', out_file=str(tmp_path / 'loop.csv')),
    ]
    loop = metrics_to_report(build_runner(cfg).test())
    rows = read_scores_csv(tmp_path / 'loop.csv')
    assert len(rows) == 8 * len(labels)
    saved = sorted(out.glob('*/*.png'))
    assert len(saved) == len(rows)  # one file per scored sample, none overwritten
    for label in labels:
        folder = evaluate_folder(
            out / label,
            out / label / 'gt',
            out / label / 'masks',
            metrics=('PSNR', 'SSIM'),
            buckets=label,
        )
        assert folder.num_images == 8
        for name in ('PSNR', 'SSIM'):
            assert folder.report[label][name] == pytest.approx(
                loop[label][name], abs=1e-9
            )
    tool = load_tool('tools/evaluate_folder.py')
    argv = [str(out / labels[0]), str(out / labels[0] / 'gt')]
    argv += [str(out / labels[0] / 'masks'), '--buckets', str(tmp_path / 'loop.csv')]
    with pytest.raises(ConfigError, match=r'once per bucket.*--bucket LABEL'):
        tool.main(argv)
