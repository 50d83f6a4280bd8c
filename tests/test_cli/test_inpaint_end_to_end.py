"""`inpaintzoo inpaint` with the real inference API: tiny HINT, random weights."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.cli import main


def _inputs(folder: Path, sizes: dict[str, tuple[int, int]]) -> Path:
    """Random RGB JPEGs and box masks (``<folder>/masks``) of the given W x H."""
    rng = np.random.default_rng(0)
    for stem, (w, h) in sizes.items():
        (folder / 'masks').mkdir(parents=True, exist_ok=True)
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        Image.fromarray(img).save(folder / f'{stem}.jpg', quality=95)
        mask = np.zeros((h, w), np.uint8)
        mask[h // 3 : h // 2, w // 4 : w // 2] = 255
        Image.fromarray(mask).save(folder / 'masks' / f'{stem}.png')
    return folder


def test_odd_size_photo_and_folder(tiny_model_files, tmp_path, capsys):
    # odd sizes, not multiples of the network stride; 451 x 300 runs in the
    # (slow) console-script test below
    config, ckpt = tiny_model_files
    data = _inputs(tmp_path / 'in', {'photo': (45, 31), 'second': (45, 31)})
    photo = data / 'photo.jpg'
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', str(config), '--checkpoint', str(ckpt),
              str(photo), '--mask', str(data / 'masks' / 'photo.png'),
              '--out', str(tmp_path / 'one'), '--device', 'cpu'])  # fmt: skip
    assert exc.value.code == 0
    out = np.asarray(Image.open(tmp_path / 'one' / 'photo.png'))
    known = np.asarray(Image.open(photo))
    assert out.shape == (31, 45, 3)
    hole = np.asarray(Image.open(data / 'masks' / 'photo.png')) > 127
    assert np.array_equal(out[~hole], known[~hole])  # composite keeps known pixels
    capsys.readouterr()

    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', str(config), '--checkpoint', str(ckpt),
              str(data), '--mask-dir', str(data / 'masks'),
              '--out', str(tmp_path / 'many'), '--device', 'cpu'])  # fmt: skip
    assert exc.value.code == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).name for p in written] == ['photo.png', 'second.png']
    assert np.asarray(Image.open(written[1])).shape == (31, 45, 3)


def test_mask_of_another_size_is_one_line_error(tiny_model_files, tmp_path, capsys):
    config, ckpt = tiny_model_files
    data = _inputs(tmp_path / 'in', {'a': (40, 30), 'b': (30, 40)})
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', str(config), '--checkpoint', str(ckpt),
              str(data / 'a.jpg'), '--mask', str(data / 'masks' / 'b.png'),
              '--out', str(tmp_path / 'o')])  # fmt: skip
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ')
    assert err.count('\n') == 1


@pytest.mark.slow
def test_installed_console_script(tiny_model_files, tmp_path):
    script = Path(sys.executable).with_name('inpaintzoo')
    script = script if script.is_file() else shutil.which('inpaintzoo')
    if script is None:
        pytest.skip('the inpaintzoo console script is not installed (pip install -e .)')
    config, ckpt = tiny_model_files
    data = _inputs(tmp_path / 'in', {'photo': (451, 300)})
    proc = subprocess.run(
        [str(script), 'inpaint', '--model', str(config), '--checkpoint', str(ckpt),
         str(data / 'photo.jpg'), '--mask', str(data / 'masks' / 'photo.png'),
         '--out', str(tmp_path / 'out'), '--device', 'cpu'],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / 'out' / 'photo.png'
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    assert np.asarray(Image.open(out)).shape == (300, 451, 3)


def test_exif_turned_photo_is_written_as_shown(tiny_model_files, tmp_path, capsys):
    """A sideways-stored phone JPEG: the mask is drawn on the picture as shown and
    the result PNG (no EXIF) shows the same way up."""
    config, ckpt = tiny_model_files
    rng = np.random.default_rng(1)
    shown = rng.integers(0, 256, (31, 45, 3), dtype=np.uint8)  # H 31, W 45
    photo = tmp_path / 'phone.jpg'
    exif = Image.Exif()
    exif[0x0112] = 8  # shown = stored turned 90 degrees anticlockwise
    Image.fromarray(np.ascontiguousarray(np.rot90(shown, k=-1))).save(
        photo, exif=exif, quality=95
    )
    hole = np.zeros((31, 45), np.uint8)
    hole[10:20, 5:25] = 255
    Image.fromarray(hole).save(tmp_path / 'hole.png')
    argv = ['inpaint', '--model', str(config), '--checkpoint', str(ckpt), str(photo),
            '--mask', str(tmp_path / 'hole.png'), '--device', 'cpu']  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main([*argv, '--out', str(tmp_path / 'out')])
    assert exc.value.code == 0
    out = np.asarray(Image.open(tmp_path / 'out' / 'phone.png'))
    assert out.shape == (31, 45, 3)
    with Image.open(photo) as jpeg:  # the decoded JPEG, turned as shown
        known = np.rot90(np.asarray(jpeg.convert('RGB')), k=1)
    assert np.array_equal(out[hole == 0], known[hole == 0])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([*argv, '--out', str(tmp_path / 'o2'), '--orientation', 'stored'])
    assert exc.value.code == 2
    assert '--orientation exif' in capsys.readouterr().err


def test_result_keeps_the_input_colour_profile(tiny_model_files, tmp_path, capsys):
    """A photo with an embedded ICC profile (phones write Display P3): the result
    PNG embeds the same profile, so viewers show the same colours."""
    from PIL import ImageCms

    config, ckpt = tiny_model_files
    data = _inputs(tmp_path / 'in', {'tagged': (33, 21), 'plain': (33, 21)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes()
    with Image.open(data / 'tagged.jpg') as img:
        pixels = np.asarray(img)
    Image.fromarray(pixels).save(data / 'tagged.jpg', quality=95, icc_profile=icc)
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', str(config), '--checkpoint', str(ckpt),
              str(data), '--mask-dir', str(data / 'masks'),
              '--out', str(tmp_path / 'out'), '--device', 'cpu'])  # fmt: skip
    assert exc.value.code == 0
    with Image.open(tmp_path / 'out' / 'tagged.png') as out:
        assert out.info.get('icc_profile') == icc
    with Image.open(tmp_path / 'out' / 'plain.png') as out:
        assert 'icc_profile' not in out.info


def test_auto_strategy_notes_large_pictures(tiny_model_files, tmp_path, capsys):
    """Above 1 MP, `--strategy auto` (the default) runs crop windows and says so."""
    config, ckpt = tiny_model_files
    data = _inputs(tmp_path / 'in', {'big': (1100, 960)})  # 1.06 MP
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', '--model', str(config), '--checkpoint', str(ckpt),
              str(data / 'big.jpg'), '--mask', str(data / 'masks' / 'big.png'),
              '--out', str(tmp_path / 'out'), '--device', 'cpu'])  # fmt: skip
    assert exc.value.code == 0
    err = capsys.readouterr().err
    assert 'big.jpg (1100x960)' in err
    assert 'crop windows' in err
    assert np.asarray(Image.open(tmp_path / 'out' / 'big.png')).shape == (960, 1100, 3)
