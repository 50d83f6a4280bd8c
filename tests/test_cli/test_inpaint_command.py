"""`inpaintzoo inpaint` with a stand-in inference API (files, options, errors)."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.cli import cmd_inpaint, main
from inpaintzoo.cli.main import cli_main
from inpaintzoo.utils.image_io import read_image
from inpaintzoo.utils.mask_io import read_mask


class FakeAPI:
    """Records calls; fills the hole with grey, as a composite would."""

    def __init__(self):
        self.init_calls, self.inpaint_calls = [], []

    def init_model(self, model, checkpoint=None, device=None):
        self.init_calls.append((model, checkpoint, device))
        return 'MODEL'

    def inpaint(self, model, image, mask, **options):
        assert model == 'MODEL'
        self.inpaint_calls.append((Path(image).name, Path(mask).name, options))
        img, hole = read_image(image).copy(), read_mask(mask) > 0
        img[hole] = 128
        return img


@pytest.fixture
def api(monkeypatch):
    fake = FakeAPI()
    monkeypatch.setattr(
        cmd_inpaint, 'load_inference_api', lambda: (fake.init_model, fake.inpaint)
    )
    return fake


def _write(path: Path, arr: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)
    return path


def _image(path: Path, w=451, h=300) -> Path:
    rng = np.random.default_rng(len(str(path)))
    return _write(path, rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def _mask(path: Path, w=451, h=300) -> Path:
    mask = np.zeros((h, w), np.uint8)
    mask[100:180, 200:300] = 255
    return _write(path, mask)


def test_odd_size_file_with_one_mask(tmp_path, api, capsys):
    photo, mask = _image(tmp_path / 'photo.jpg'), _mask(tmp_path / 'm.png')
    before = photo.read_bytes()
    status = cli_main(
        ['inpaint', '--model', 'cfg.py', '--checkpoint', 'w.pth', str(photo),
         '--mask', str(mask), '--out', str(tmp_path / 'out'), '--device', 'cpu']
    )  # fmt: skip
    assert status == 0
    out = tmp_path / 'out' / 'photo.png'
    result = np.asarray(Image.open(out))
    assert result.shape == (300, 451, 3)
    assert (result[100:180, 200:300] == 128).all()
    assert photo.read_bytes() == before
    assert api.init_calls == [('cfg.py', 'w.pth', 'cpu')]
    assert api.inpaint_calls[0][2] == {
        'mask_convention': 'hole-white',
        'strategy': 'auto',
        'orientation': 'exif',
    }
    assert capsys.readouterr().out.strip().splitlines() == [str(out)]


def test_folder_with_mask_dir_and_strategy_options(tmp_path, api, capsys):
    for stem in ('a', 'b', 'c'):
        _image(tmp_path / 'imgs' / f'{stem}.png', 37, 29)
        _mask(tmp_path / 'masks' / f'{stem}.png', 37, 29)
    cli_main(
        ['inpaint', '--model', 'hint_celeba-hq', str(tmp_path / 'imgs'),
         '--mask-dir', str(tmp_path / 'masks'), '--out', str(tmp_path / 'out'),
         '--strategy', 'sliding', '--tile', '16', '--overlap', '4',
         '--mask-convention', 'known-white', '--mask-threshold', '100', '--no-progress',
         '--orientation', 'stored']
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == [
        'a.png',
        'b.png',
        'c.png',
    ]
    assert len(api.init_calls) == 1  # the model is loaded once
    assert api.init_calls[0] == ('hint_celeba-hq', None, None)
    assert [c[:2] for c in api.inpaint_calls] == [
        ('a.png', 'a.png'),
        ('b.png', 'b.png'),
        ('c.png', 'c.png'),
    ]
    assert api.inpaint_calls[0][2] == {
        'mask_convention': 'known-white',
        'strategy': 'sliding',
        'orientation': 'stored',
        'mask_threshold': 100,
        'tile': 16,
        'overlap': 4,
    }
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_progress_bar_only_for_several_images(tmp_path, api, capsys):
    for stem in ('a', 'b'):
        _image(tmp_path / 'imgs' / f'{stem}.png', 8, 8)
    mask = _mask(tmp_path / 'm.png', 8, 8)
    args = ['inpaint', '--model', 'x', '--mask', str(mask), '--progress']
    cli_main([*args, str(tmp_path / 'imgs'), '--out', str(tmp_path / 'o1')])
    assert '2/2' in capsys.readouterr().err
    cli_main([*args, str(tmp_path / 'imgs' / 'a.png'), '--out', str(tmp_path / 'o2')])
    assert '1/1' not in capsys.readouterr().err


def test_output_into_the_input_folder_is_refused(tmp_path, api, monkeypatch, capsys):
    _image(tmp_path / 'imgs' / 'a.png', 8, 8)
    mask = _mask(tmp_path / 'm.png', 8, 8)
    argv = ['inpaint', '--model', 'x', str(tmp_path / 'imgs'), '--mask', str(mask),
            '--out', str(tmp_path / 'imgs')]  # fmt: skip
    monkeypatch.setattr(sys, 'argv', ['inpaintzoo', *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith('error: --out ')
    assert 'input folder' in err[0]
    assert api.init_calls == []  # refused before the model is loaded


def test_unmatched_masks_are_one_line_error(tmp_path, api, capsys):
    for stem in ('a', 'b'):
        _image(tmp_path / 'imgs' / f'{stem}.png', 8, 8)
    _mask(tmp_path / 'masks' / 'a.png', 8, 8)
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', 'x', str(tmp_path / 'imgs'), '--mask-dir',
              str(tmp_path / 'masks'), '--out', str(tmp_path / 'o')])  # fmt: skip
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('error: no mask in ')
    assert 'b.png' in err
    assert err.count('\n') == 1


def test_mask_and_mask_dir_are_exclusive_and_one_is_required(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli_main(['inpaint', '--model', 'x', 'a.png', '--out', str(tmp_path)])
    assert 'one of the arguments --mask --mask-dir is required' in (
        capsys.readouterr().err
    )


def test_strategy_choices_match_the_highres_api():
    highres = pytest.importorskip('inpaintzoo.apis.highres')
    assert ('auto', *highres.STRATEGIES) == cmd_inpaint.STRATEGY_CHOICES


def test_mask_conventions_match_the_inference_api():
    mask_inputs = pytest.importorskip('inpaintzoo.apis.mask_inputs')
    assert set(mask_inputs.MASK_CONVENTIONS) == set(cmd_inpaint.MASK_CONVENTIONS)


def test_help_states_the_api_mask_threshold(capsys):
    """The help names the threshold number inpaint() uses (not only 'the default')."""
    from inpaintzoo.apis.mask_inputs import DEFAULT_MASK_THRESHOLD

    with pytest.raises(SystemExit):
        cli_main(['inpaint', '--help'])
    text = ' '.join(capsys.readouterr().out.split())
    assert f'default {DEFAULT_MASK_THRESHOLD}, as inpaint()' in text


@pytest.mark.parametrize(
    ('command', 'files'),
    [('inpaint', 'image and mask files'), ('restore', 'image files')],
)
def test_orientation_help_names_what_the_command_reads(command, files, capsys):
    """restore takes no mask, so its --orientation help names image files only."""
    with pytest.raises(SystemExit):
        cli_main([command, '--help'])
    text = ' '.join(capsys.readouterr().out.split())
    assert f'exif (default): turn {files} by their EXIF' in text
    assert ('mask' in text) is (command == 'inpaint')
