"""`inpaintzoo inpaint` / `restore`: checks made before any model work.

Bad --device, --out that is not a folder or a .png file, unreadable files in a
folder (all named at once, nothing run, no empty --out folder left), masks of
the wrong size (all named at once), read-only results, option errors naming the
flags, --mask folders, and mask and random-weights warnings as one line each.
"""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.apis import inference as inference_mod
from inpaintzoo.apis import restoration as restore_mod
from inpaintzoo.cli import cmd_inpaint, main
from inpaintzoo.cli.main import cli_main
from inpaintzoo.utils.errors import ConfigError, ImageReadError, InvalidMaskError
from inpaintzoo.utils.image_io import read_image

H, W = 23, 31


class FakeAPI:
    """Records model loads; inpaint/restore give back the picture."""

    def __init__(self):
        self.loads = []

    def init_model(self, model, checkpoint=None, device=None):
        self.loads.append((model, checkpoint, device))
        return 'MODEL'

    def inpaint(self, model, image, mask, **options):
        return read_image(image)

    def restore(self, model, image, **options):
        return read_image(image)


@pytest.fixture
def api(monkeypatch):
    fake = FakeAPI()
    monkeypatch.setattr(
        cmd_inpaint, 'load_inference_api', lambda: (fake.init_model, fake.inpaint)
    )
    monkeypatch.setattr(inference_mod, 'init_model', fake.init_model)
    monkeypatch.setattr(restore_mod, 'restore', fake.restore)
    monkeypatch.setattr(restore_mod, 'check_restorer', lambda model: None)
    monkeypatch.setattr(restore_mod, 'check_restorer_config', lambda model: None)
    return fake


def _png(path: Path, value: int = 90, channels: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shape = (H, W, channels) if channels > 1 else (H, W)
    Image.fromarray(np.full(shape, value, np.uint8)).save(path)
    return path


def _mask(path: Path) -> Path:
    mask = np.zeros((H, W), np.uint8)
    mask[5:15, 8:20] = 255
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(mask).save(path)
    return path


def _inpaint(*extra: str) -> list[str]:
    return ['inpaint', '--model', 'cfg.py', *extra, '--device', 'cpu']


def _restore(*extra: str) -> list[str]:
    return ['restore', '--model', 'cfg.py', *extra, '--device', 'cpu']


# ------------------------------------------------------------------ --device


@pytest.mark.parametrize('command', ['inpaint', 'restore'])
def test_device_without_gpu_is_one_line(tmp_path, api, monkeypatch, capsys, command):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    photo = _png(tmp_path / 'a.png')
    argv = [command, '--model', 'cfg.py', str(photo), '--out', str(tmp_path / 'o')]
    if command == 'inpaint':
        argv += ['--mask', str(_mask(tmp_path / 'm' / 'a.png'))]
    for device, said in (
        (
            'cuda',
            'error: --device cuda: no CUDA GPU is available here; use --device cpu',
        ),
        ('foo', 'error: --device foo: unknown device'),
    ):
        with pytest.raises(SystemExit) as exc:
            main([*argv, '--device', device])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(said)
        assert 'Traceback' not in err
        assert len(err.strip().splitlines()) == 1
    assert not api.loads  # refused before the model is built
    assert not (tmp_path / 'o').exists()


# --------------------------------------------------------------------- --out


@pytest.mark.parametrize('command', ['inpaint', 'restore'])
def test_out_with_another_image_suffix_is_refused(tmp_path, api, command):
    photo = _png(tmp_path / 'a.png')
    argv = [command, '--model', 'cfg.py', str(photo), '--device', 'cpu']
    if command == 'inpaint':
        argv += ['--mask', str(_mask(tmp_path / 'm' / 'a.png'))]
    with pytest.raises(ConfigError, match=r'--out must be a folder or a \.png file'):
        cli_main([*argv, '--out', str(tmp_path / 'sharp.jpg')])
    assert not (tmp_path / 'sharp.jpg').exists()  # no folder of that name
    assert not api.loads


@pytest.mark.parametrize('command', ['inpaint', 'restore'])
def test_out_png_is_a_file_and_an_existing_folder_a_folder(
    tmp_path, api, capsys, command
):
    photo = _png(tmp_path / 'a.png')
    argv = [command, '--model', 'cfg.py', str(photo), '--device', 'cpu']
    if command == 'inpaint':
        argv += ['--mask', str(_mask(tmp_path / 'm' / 'a.png'))]
    assert cli_main([*argv, '--out', str(tmp_path / 'new' / 'r.png')]) == 0
    assert (tmp_path / 'new' / 'r.png').is_file()
    (tmp_path / 'dir.png').mkdir()
    assert cli_main([*argv, '--out', str(tmp_path / 'dir.png')]) == 0
    assert (tmp_path / 'dir.png' / 'a.png').is_file()
    written = capsys.readouterr().out.split()
    assert written == [str(tmp_path / p) for p in ('new/r.png', 'dir.png/a.png')]


def test_out_png_may_not_be_the_mask(tmp_path, api):
    photo, mask = _png(tmp_path / 'a.png'), _mask(tmp_path / 'm.png')
    argv = _inpaint(str(photo), '--mask', str(mask), '--out', str(mask))
    with pytest.raises(ConfigError, match='is an input image or mask'):
        cli_main(argv)


# ------------------------------------------------------------ unreadable files


def test_folder_with_bad_files_names_them_all_and_runs_nothing(tmp_path, api):
    folder = tmp_path / 'in'
    _png(folder / 'a.png')
    (folder / 'b.png').write_text('not an image\n')
    _png(folder / 'c.png')
    (folder / 'd.png').write_bytes(b'')
    mask = _mask(tmp_path / 'm.png')
    out = tmp_path / 'out'
    argv = _inpaint(str(folder), '--mask', str(mask), '--out', str(out))
    with pytest.raises(ImageReadError) as err:
        cli_main(argv)
    text = str(err.value)
    assert 'b.png: not an image file' in text
    assert 'd.png is empty (0 bytes)' in text
    assert 'nothing was run' in text
    assert 'a.png' not in text.replace(str(folder), '')
    assert not api.loads
    assert not out.exists()  # no empty output folder left behind
    with pytest.raises(ImageReadError, match=r'b\.png.*d\.png'):
        cli_main(_restore(str(folder), '--out', str(out)))
    assert not out.exists()


def test_mask_folder_given_as_mask_file_says_so(tmp_path, api):
    photo = _png(tmp_path / 'a.png')
    (tmp_path / 'masks').mkdir()
    argv = _inpaint(str(photo), '--mask', str(tmp_path / 'masks'), '--out', 'o')
    with pytest.raises(ImageReadError, match='is a folder, not an image file'):
        cli_main(argv)


# -------------------------------------------------------------- mask warnings


def test_mask_without_hole_warns_once_per_image(tiny_model_files, tmp_path, capsys):
    config, ckpt = tiny_model_files
    one, two = _png(tmp_path / 'one.png'), _png(tmp_path / 'two.png', 40)
    zero = _png(tmp_path / 'masks' / 'zero.png', 0, channels=1)
    status = cli_main(
        ['inpaint', '--model', str(config), '--checkpoint', str(ckpt), str(one),
         str(two), '--mask', str(zero), '--out', str(tmp_path / 'out'),
         '--device', 'cpu', '--no-progress']
    )  # fmt: skip
    assert status == 0
    lines = capsys.readouterr().err.strip().splitlines()
    warned = [line for line in lines if line.startswith('warning: mask')]
    assert len(warned) == 2
    for line, name in zip(warned, ('one.png', 'two.png'), strict=True):
        assert f'{name}) has no hole pixel' in line
        assert 'above 127' in line
    for name in ('one.png', 'two.png'):  # returned unchanged
        out = np.asarray(Image.open(tmp_path / 'out' / name))
        assert np.array_equal(out, np.asarray(Image.open(tmp_path / name)))


# ------------------------------------------------- checked before the model


def test_folder_with_wrong_size_masks_lists_them_and_runs_nothing(tmp_path, api):
    for stem in ('a', 'b', 'c'):
        _png(tmp_path / 'in' / f'{stem}.png')
        _mask(tmp_path / 'masks' / f'{stem}.png')
    wrong = np.zeros((H + 1, W), np.uint8)
    for stem in ('b', 'c'):
        Image.fromarray(wrong).save(tmp_path / 'masks' / f'{stem}.png')
    out = tmp_path / 'out'
    argv = _inpaint(str(tmp_path / 'in'), '--mask-dir', str(tmp_path / 'masks'))
    with pytest.raises(InvalidMaskError) as err:
        cli_main([*argv, '--out', str(out)])
    text = str(err.value)
    assert text.startswith("2 of 3 masks do not have their image's size")
    assert f'b.png is {W}x{H + 1} (W x H)' in text
    assert f'c.png is {W}x{H + 1} (W x H)' in text
    assert not api.loads  # before the model is built
    assert not out.exists()  # and before a.png was written


def test_read_only_result_is_refused_before_the_model(tmp_path, api, monkeypatch):
    from inpaintzoo.cli import output_files

    photo, mask = _png(tmp_path / 'a.png'), _mask(tmp_path / 'm' / 'a.png')
    old = _png(tmp_path / 'out' / 'a.png')
    real_access = output_files.os.access
    monkeypatch.setattr(  # no write permission on it (tests run as root)
        output_files.os,
        'access',
        lambda p, mode: (
            not (str(p) == str(old) and mode & output_files.os.W_OK)
            and real_access(p, mode)
        ),
    )
    argv = _inpaint(str(photo), '--mask', str(mask), '--out', str(tmp_path / 'out'))
    with pytest.raises(
        PermissionError, match=r'--out .*out: cannot overwrite .*a\.png'
    ):
        cli_main(argv)
    assert not api.loads


@pytest.mark.parametrize(
    ('extra', 'said'),
    [
        (
            ['--mask-threshold', '256'],
            'error: --mask-threshold 256: must be in [0, 255)',
        ),
        (
            ['--tile', '32'],
            'error: --tile needs --strategy sliding (the strategy is auto, the '
            'default)',
        ),
        (['--strategy', 'crop', '--overlap', '4'], 'error: --overlap needs --strategy'),
        (
            ['--strategy', 'sliding', '--context', '3'],
            'error: --context needs --strategy crop',
        ),
    ],
)
def test_option_errors_name_the_flags(tmp_path, api, capsys, extra, said):
    photo, mask = _png(tmp_path / 'a.png'), _mask(tmp_path / 'm' / 'a.png')
    argv = _inpaint(str(photo), '--mask', str(mask), '--out', str(tmp_path / 'o'))
    with pytest.raises(SystemExit) as exc:
        main([*argv, *extra])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(said)
    assert len(err.strip().splitlines()) == 1
    assert not api.loads


@pytest.mark.parametrize('command', ['inpaint', 'restore'])
def test_random_weights_warning_is_one_line(tmp_path, capsys, command):
    from tests.tiny_config import REPO

    photo = _png(tmp_path / 'a.png')
    if command == 'inpaint':
        config = REPO / 'configs' / 'hint' / 'hint-tiny_1xb4-300_demo-64x64.py'
        extra = ['--mask', str(_mask(tmp_path / 'm' / 'a.png'))]
    else:
        config = (
            REPO
            / 'configs'
            / 'sem_net_deblur'
            / 'sem-deblur-tiny_1xb4-300_demo-64x64.py'
        )
        extra = []
    argv = [command, '--model', str(config), str(photo), *extra, '--device', 'cpu']
    assert cli_main([*argv, '--out', str(tmp_path / 'o'), '--no-progress']) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        'warning: no --checkpoint given, so the model has random weights and its '
        'results are noise; pass --checkpoint FILE'
        + (
            ' (or a zoo model name, which brings its weights)'
            if command == 'inpaint'
            else ''
        )
    ]
