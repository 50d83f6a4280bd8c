"""Config, ``--cfg-options`` and launcher mistakes end in one ``error:`` line.

Audit defects 4, 5, 6 and 8-10 (researcher workflow): each case used to end in
a traceback, a late or misleading error, or (``auto_scale_lr``) a false warning.
"""

from pathlib import Path

import pytest

from tests.test_tools.test_tool_errors import assert_one_line_error
from tests.tiny_config import REPO, tiny_cfg

DEMO = str(REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py')


def test_syntax_error_names_the_file_and_line(run_tool, tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text("x = 1\nmodel = dict(type='X'\n")
    run = run_tool('tools/train.py', str(bad))
    assert_one_line_error(run, f'config {bad}, line 2: syntax error', 'never closed')
    child = tmp_path / 'child.py'
    child.write_text("_base_ = './bad.py'\n")
    run = run_tool('tools/test.py', str(child), 'x.pth')
    assert_one_line_error(run, f'config {bad}, line 2: syntax error')


def test_duplicate_keys_among_bases(run_tool, tmp_path):
    (tmp_path / '_data.py').write_text('img_size = 32\ntrain_cfg = dict(max_iters=4)\n')
    cfg = tmp_path / 'row.py'
    cfg.write_text(f"# a row\n_base_ = [{DEMO!r}, './_data.py']\n")
    run = run_tool('tools/train.py', str(cfg))
    line = assert_one_line_error(run, f'config {cfg}, line 2:', 'docs/ablations.md')
    assert 'img_size, train_cfg' in line


def test_error_in_the_config_code(run_tool, tmp_path):
    cfg = tmp_path / 'typo.py'
    cfg.write_text('a = 1\nmodel = dict(dim=undefined_name)\n')
    run = run_tool('tools/train.py', str(cfg))
    assert_one_line_error(run, f'config {cfg}, line 2: NameError', 'undefined_name')


@pytest.mark.parametrize(
    ('option', 'needles'),
    [
        (
            "model.generator.down=dict(type='PixelUnshuffleDownsample')",
            ['a dict value cannot be passed', 'model.generator.down.type=...'],
        ),
        ("custom_hooks=[dict(type='X')]", ['a dict value cannot be passed']),
        (  # MMEngine's own parser recursed until a RecursionError traceback
            "param_scheduler=[dict(type='MultiStepLR',by_epoch=False,"
            'milestones=[1,2],gamma=0.78)]',
            [
                'dict(...) values are not supported in --cfg-options',
                f"inherits the one being run (_base_ = '{DEMO}')",
                'set param_scheduler there',
            ],
        ),
        (
            "model.gan_loss=dict(type='GANLoss',gan_type='nsgan')",
            ['dict(...) values are not supported', 'set model.gan_loss there'],
        ),
        ('train_cfg.max_iters=[1,2', ['the value cannot be parsed', 'as [a,b]']),
        (
            'model.losses.l11.loss_weight=0.2',
            ["new entry 'model.losses.l11' without type=", "'model.losses.l1.loss"],
        ),
    ],
)
def test_cfg_options_that_cannot_work(run_tool, tmp_path, option, needles):
    run = run_tool(
        'tools/train.py', DEMO, '--work-dir', str(tmp_path), '--cfg-options', option
    )
    assert_one_line_error(run, *needles)
    assert not list(tmp_path.glob('*/*.log'))  # refused before the runner


def test_cfg_options_new_typed_entry_and_scalars_pass():
    from mmengine.config import Config

    from inpaintzoo.apis.cfg_option_values import check_cfg_option_values

    cfg = Config.fromfile(DEMO)
    check_cfg_option_values(
        cfg,
        {
            'model.losses.l2.type': 'MSELoss',
            'model.losses.l2.loss_weight': 1.0,
            'default_hooks.checkpoint.filename_tmpl': '{}.pth',
            'new_variable.x': 1,
        },
    )


def test_runner_section_keys_are_known():
    """``auto_scale_lr`` is absent from the configs, yet the Runner reads it."""
    from mmengine.config import Config

    from inpaintzoo.apis.cfg_options import unknown_cfg_keys

    cfg = Config.fromfile(DEMO)
    known = {
        'auto_scale_lr.enable': True,
        'auto_scale_lr.base_batch_size': 8,
        'randomness.diff_rank_seed': True,
        'env_cfg.dist_cfg.timeout': 60,
        'train_cfg.val_begin': 2,  # IterBasedTrainLoop's argument
    }
    assert unknown_cfg_keys(cfg, known) == []
    wrong = unknown_cfg_keys(cfg, {'auto_scale_lr.enabled': True})
    assert len(wrong) == 1
    assert 'auto_scale_lr.enabled' in wrong[0]


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py'])
def test_launcher_pytorch_without_torchrun(
    tool, run_tool, demo_root, tmp_path, monkeypatch
):
    from inpaintzoo.apis.runner_setup import TORCHRUN_VARIABLES

    for name in TORCHRUN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    cfg = tiny_cfg(DEMO, tmp_path / 'work', demo_root)
    config = tmp_path / 'tiny.py'
    cfg.dump(str(config))
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'')  # never read: the launcher check fails first
    args = [str(ckpt)] if tool == 'tools/test.py' else []
    run = run_tool(tool, str(config), *args, '--launcher', 'pytorch')
    assert_one_line_error(run, 'RANK, WORLD_SIZE', 'tools/dist_train.sh', 'torchrun')


def _tiny_config(tmp_path, demo_root, work):
    cfg = tiny_cfg(DEMO, work, demo_root)
    config = tmp_path / 'tiny.py'
    cfg.dump(str(config))
    empty = tmp_path / 'model.pth'
    empty.write_bytes(b'')  # read only after the runner is built
    return config, empty


def test_test_runs_beside_a_training_of_the_config(
    run_tool, locked_work_dir, demo_root, tmp_path
):
    """Audit 10: the training holds the work dir; a test gets test_<ckpt stem>."""
    work, _ = locked_work_dir
    config, empty = _tiny_config(tmp_path, demo_root, work)
    run = run_tool('tools/test.py', str(config), str(empty))
    assert_one_line_error(run, f'checkpoint {empty} is empty')  # not 'in use'
    assert list((Path(work) / 'test_model').glob('*/*.log'))


def test_test_out_folder_is_made_before_the_run(run_tool, demo_root, tmp_path):
    """Audit 9: --out's folder is created (or refused) before the test runs."""
    config, empty = _tiny_config(tmp_path, demo_root, tmp_path / 'work')
    out = tmp_path / 'new' / 'sub' / 'm.json'
    run_tool('tools/test.py', str(config), str(empty), '--out', str(out))
    assert out.parent.is_dir()
    run = run_tool('tools/test.py', str(config), str(empty), '--out', str(tmp_path))
    assert_one_line_error(run, f'--out {tmp_path} is a folder')
    blocker = tmp_path / 'file.txt'
    blocker.write_text('x')
    run = run_tool(
        'tools/test.py', str(config), str(empty), '--out', f'{blocker}/m.json'
    )
    assert_one_line_error(run, 'is a file, not a folder')


def test_test_of_a_folder_checkpoint(run_tool, demo_root, tmp_path):
    config, _ = _tiny_config(tmp_path, demo_root, tmp_path / 'work')
    run = run_tool('tools/test.py', str(config), str(tmp_path))
    assert_one_line_error(run, f'checkpoint {tmp_path} is a directory; pass a .pth')
