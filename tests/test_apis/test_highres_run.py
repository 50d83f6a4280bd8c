"""tools/inference_highres.py and inpaintzoo.apis.highres_run on a tiny model."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.apis.highres_run import (
    build_inpaintor,
    inpaint_highres,
    output_path,
    read_pair,
)
from inpaintzoo.apis.mask_warnings import AllHoleWarning, NoHoleWarning
from inpaintzoo.utils.errors import ConfigError, ImageReadError, InvalidMaskError
from tests.tiny_config import REPO


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'inference_highres', REPO / 'tools' / 'inference_highres.py'
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (90, 150, 3), dtype=np.uint8)
    mask = np.zeros((90, 150), dtype=np.uint8)
    mask[10:30, 20:50] = 255
    mask[60:85, 100:140] = 255
    Image.fromarray(image).save(tmp_path / 'img.png')
    Image.fromarray(mask).save(tmp_path / 'mask.png')
    return tmp_path / 'img.png', tmp_path / 'mask.png', image, mask > 0


@pytest.mark.parametrize('strategy', ['whole', 'sliding', 'crop', 'resize'])
def test_tool_inpaints_and_prints_time_and_memory(
    strategy, tiny_mxt_config, files, tmp_path, capsys
):
    img_path, mask_path, image, hole = files
    out = tmp_path / 'out' / 'result.png'
    load_tool().main(
        [
            *(str(tiny_mxt_config), str(img_path), str(mask_path), '--out', str(out)),
            *('--strategy', strategy, '--tile', '64', '--overlap', '16'),
            *('--train-size', '48'),
        ]
    )
    printed = capsys.readouterr().out
    assert strategy in printed
    assert '150x90' in printed
    assert '2 hole regions' in printed
    assert 'MiB' in printed
    result = np.asarray(Image.open(out))
    assert result.shape == image.shape
    np.testing.assert_array_equal(result[~hole], image[~hole])  # composited


def test_tool_writes_into_a_folder(tiny_mxt_config, files, tmp_path, capsys):
    img_path, mask_path, _, _ = files
    load_tool().main(
        [
            str(tiny_mxt_config),
            str(img_path),
            str(mask_path),
            '--out',
            str(tmp_path / 'o'),
        ]
    )
    assert (tmp_path / 'o' / 'img.png').is_file()
    assert 'icc_profile' not in Image.open(tmp_path / 'o' / 'img.png').info
    assert output_path('x/y.jpg', 'a/b.png') == Path('x/y.jpg')
    icc = b'any colour profile bytes, kept as they are'
    Image.open(img_path).save(img_path, icc_profile=icc)  # the input's profile ...
    load_tool().main(
        [
            str(tiny_mxt_config),
            str(img_path),
            str(mask_path),
            '--out',
            str(tmp_path / 'o'),
        ]
    )
    assert Image.open(tmp_path / 'o' / 'img.png').info['icc_profile'] == icc  # kept


def test_tool_never_overwrites_its_inputs(tiny_mxt_config, files, tmp_path):
    img_path, mask_path, image, _ = files
    tool = load_tool()
    for out in (img_path, mask_path):  # --out naming an input is refused
        with pytest.raises(ConfigError, match='input image or mask'):
            tool.main(
                [str(tiny_mxt_config), str(img_path), str(mask_path), '--out', str(out)]
            )
    with pytest.raises(ConfigError, match=r'\.png file'):  # lossless results only
        tool.main(
            [str(tiny_mxt_config), str(img_path), str(mask_path), '--out', 'r.jpg']
        )
    # the image's own folder: the result gets a new name beside it
    tool.main(
        [str(tiny_mxt_config), str(img_path), str(mask_path), '--out', str(tmp_path)]
    )
    np.testing.assert_array_equal(np.asarray(Image.open(img_path)), image)
    assert (tmp_path / 'img_inpainted.png').is_file()
    with pytest.raises(ConfigError, match='overwrite an input'):  # the API too
        output_path(tmp_path, img_path, mask_path)


def test_mask_of_another_size_names_both_files(files, tmp_path):
    img_path, _, _, _ = files
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / 'small.png')
    with pytest.raises(InvalidMaskError, match=r'small\.png.*10x10.*img\.png.*150x90'):
        read_pair(img_path, tmp_path / 'small.png')
    with pytest.raises(ImageReadError, match='nothere'):
        read_pair(tmp_path / 'nothere.png', tmp_path / 'small.png')


def test_strategies_agree_with_the_model_where_they_should(tiny_mxt_config, files):
    img_path, mask_path, _, _ = files
    torch.manual_seed(0)
    model = build_inpaintor(tiny_mxt_config)
    image, mask = read_pair(img_path, mask_path)
    whole, calls = inpaint_highres(model, image, mask, 'whole')
    assert calls == 1
    # one tile covering the image is the whole strategy
    tiled, calls = inpaint_highres(model, image, mask, 'sliding', tile=512)
    assert calls == 1
    torch.testing.assert_close(tiled, whole)
    # windows smaller than train_size**2 pixels are not resized: 2 holes, 2 calls
    _, calls = inpaint_highres(model, image, mask, 'crop', train_size=32, context=1.5)
    assert calls == 2


PEAK_PROBE = """
from inpaintzoo.utils.memory import peak_rss_mib, reset_peak_rss
import torch
reset_peak_rss()
before = peak_rss_mib()
big = torch.ones(64, 1024, 1024)  # 256 MiB, touched
print(peak_rss_mib() - before)
"""


def test_peak_memory_sees_torch_allocations():
    """In a fresh process: here, memory freed by earlier tests and kept for reuse
    (inpaintzoo.utils.freed_memory) could hold the tensor without the RSS growing."""
    out = subprocess.run(
        [sys.executable, '-c', PEAK_PROBE], capture_output=True, text=True, check=True
    )
    assert float(out.stdout.split()[-1]) > 200


def test_read_pair_turns_both_files_by_their_exif_tags(tmp_path):
    stored = np.random.default_rng(0).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    hole = np.zeros((12, 20), np.uint8)
    hole[2:5, 3:9] = 255
    exif = Image.Exif()
    exif[0x0112] = 3  # turned 180 degrees
    Image.fromarray(stored).save(tmp_path / 'img.png', exif=exif)
    Image.fromarray(hole).save(tmp_path / 'mask.png', exif=exif)
    img, mask = read_pair(tmp_path / 'img.png', tmp_path / 'mask.png')
    shown = stored[::-1, ::-1]
    np.testing.assert_array_equal(
        (img[0].permute(1, 2, 0) * 255).round().byte().numpy(), shown
    )
    np.testing.assert_array_equal(mask[0, 0].numpy(), hole[::-1, ::-1] > 0)
    img, mask = read_pair(
        tmp_path / 'img.png', tmp_path / 'mask.png', orientation='stored'
    )
    np.testing.assert_array_equal(
        (img[0].permute(1, 2, 0) * 255).round().byte().numpy(), stored
    )


def test_tool_gives_a_grey_picture_a_grey_fill(tiny_mxt_config, files, tmp_path):
    img_path, mask_path, image, hole = files
    grey = np.repeat(image[..., :1], 3, axis=2)
    Image.fromarray(grey[..., 0]).save(img_path)  # an 'L' file
    out = tmp_path / 'grey.png'
    load_tool().main(
        [str(tiny_mxt_config), str(img_path), str(mask_path), '--out', str(out)]
    )
    result = np.asarray(Image.open(out).convert('RGB'))
    assert (result[..., 0] == result[..., 1]).all()
    assert (result[..., 1] == result[..., 2]).all()
    np.testing.assert_array_equal(result[~hole], grey[~hole])


# ------------------------------------------- the mask checks of `inpaintzoo inpaint`


def test_read_pair_warns_as_inpaint_does(files, tmp_path):
    img_path, _, _, _ = files
    for value, category, said in (
        (0, NoHoleWarning, 'has no hole pixel'),
        (255, AllHoleWarning, 'is hole everywhere'),
    ):
        path = tmp_path / f'm{value}.png'
        Image.fromarray(np.full((90, 150), value, np.uint8)).save(path)
        with pytest.warns(category, match=said):
            read_pair(img_path, path)


def test_read_pair_names_the_orientation_switch(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored 20 wide, shown 12 wide
    Image.fromarray(np.zeros((12, 20, 3), np.uint8)).save(
        tmp_path / 'photo.jpg', exif=exif.tobytes()
    )
    Image.fromarray(np.zeros((12, 20), np.uint8)).save(tmp_path / 'stored.png')
    with pytest.raises(InvalidMaskError) as err:
        read_pair(tmp_path / 'photo.jpg', tmp_path / 'stored.png')
    assert 'EXIF orientation tags: image 6, mask 1' in str(err.value)
    assert '--orientation stored' in str(err.value)


def test_tool_prints_mask_and_weights_warnings_as_one_line_each(
    tiny_mxt_config, files, tmp_path, capsys
):
    img_path, _, _, _ = files
    Image.fromarray(np.zeros((90, 150), np.uint8)).save(tmp_path / 'zero.png')
    out = tmp_path / 'same.png'
    load_tool().main(
        [str(tiny_mxt_config), str(img_path), str(tmp_path / 'zero.png'), '--out',
         str(out)]
    )  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert err[0].startswith('warning: no --checkpoint given, so the model has random')
    assert err[1].startswith(f'warning: mask {tmp_path / "zero.png"} (for image ')
    assert 'has no hole pixel' in err[1]
    np.testing.assert_array_equal(
        np.asarray(Image.open(out)), np.asarray(Image.open(img_path))
    )


def test_tool_checks_files_and_threshold_before_building_the_model(
    files, tmp_path, monkeypatch
):
    tool = load_tool()
    built = []
    monkeypatch.setattr(tool, 'build_inpaintor', lambda *a: built.append(a))
    img_path, mask_path, _, _ = files
    Image.fromarray(np.zeros((10, 10), np.uint8)).save(tmp_path / 'small.png')
    argv = ['cfg.py', str(img_path), str(tmp_path / 'small.png'), '--out', 'x.png']
    with pytest.raises(InvalidMaskError, match=r'10x10 .*nothing was run'):
        tool.main(argv)
    argv = ['cfg.py', str(img_path), str(mask_path), '--out', str(tmp_path / 'o.png')]
    with pytest.raises(InvalidMaskError, match=r'--mask-threshold 300: must be in'):
        tool.main([*argv, '--mask-threshold', '300'])
    assert not built
