"""Files of `inpaintzoo inpaint`: gathering, mask pairing, output names."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.cli.inputs import (
    check_out_dir,
    collect_images,
    pair_masks,
    plan_outputs,
)
from inpaintzoo.utils.errors import ConfigError, FolderPairingError, ImageReadError


def _png(path: Path, size=(5, 4)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8)).save(path)
    return path


def test_collect_files_and_folders_in_order_without_duplicates(tmp_path):
    a = _png(tmp_path / 'in' / 'b.png')
    _png(tmp_path / 'in' / 'a.jpg')
    (tmp_path / 'in' / 'notes.txt').write_text('x')
    single = _png(tmp_path / 'z.png')
    got = collect_images([single, tmp_path / 'in', a])
    assert [p.name for p in got] == ['z.png', 'a.jpg', 'b.png']


def test_collect_refuses_missing_input_and_empty_folder(tmp_path):
    with pytest.raises(ImageReadError, match=r'input not found: .*nope\.png'):
        collect_images([tmp_path / 'nope.png'])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ImageReadError, match='holds no image files'):
        collect_images([tmp_path / 'empty'])


def test_single_mask_is_shared(tmp_path):
    images = [_png(tmp_path / 'a.png'), _png(tmp_path / 'b.png')]
    mask = _png(tmp_path / 'masks' / 'm.png')
    assert pair_masks(images, mask=mask) == [mask, mask]
    with pytest.raises(ImageReadError, match='mask file not found'):
        pair_masks(images, mask=tmp_path / 'missing.png')


def test_mask_dir_pairs_by_stem_and_lists_unmatched(tmp_path):
    images = [_png(tmp_path / 'in' / f'{s}.jpg') for s in ('a', 'b', 'c')]
    ma = _png(tmp_path / 'masks' / 'a.png')
    _png(tmp_path / 'masks' / 'unused.png')
    with pytest.raises(FolderPairingError, match=r'2 of 3 image\(s\): b.jpg, c.jpg'):
        pair_masks(images, mask_dir=tmp_path / 'masks')
    mb, mc = _png(tmp_path / 'masks' / 'b.png'), _png(tmp_path / 'masks' / 'c.bmp')
    assert pair_masks(images, mask_dir=tmp_path / 'masks') == [ma, mb, mc]


def test_image_cannot_be_its_own_mask(tmp_path):
    images = [_png(tmp_path / 'in' / 'a.png')]
    with pytest.raises(FolderPairingError, match='its own mask'):
        pair_masks(images, mask_dir=tmp_path / 'in')


def test_out_dir_may_not_be_an_input_or_mask_folder(tmp_path):
    _png(tmp_path / 'in' / 'a.png')
    with pytest.raises(ConfigError, match=r'--out .* is also an input folder'):
        check_out_dir(tmp_path / 'in' / '.', [tmp_path / 'in'], None)
    with pytest.raises(ConfigError, match='input folder'):
        check_out_dir(
            tmp_path / 'masks', [tmp_path / 'in' / 'a.png'], tmp_path / 'masks'
        )
    out = check_out_dir(tmp_path / 'new' / 'out', [tmp_path / 'in'], None)
    assert out == tmp_path / 'new' / 'out'
    assert not out.exists()  # created with the first result, not before


def test_output_names_never_equal_an_input(tmp_path):
    # photo.png given as a file with --out its own folder: suffix, no overwrite
    photo = _png(tmp_path / 'photo.png')
    mask = _png(tmp_path / 'mask.png')
    twin = _png(tmp_path / 'other' / 'photo.jpg')  # same stem, other folder
    outs = plan_outputs([photo, twin], [mask, mask], tmp_path)
    assert outs == [tmp_path / 'photo_inpainted.png', tmp_path / 'photo_inpainted2.png']
    outs = plan_outputs([photo, twin, mask], [mask] * 3, tmp_path / 'out')
    assert [p.name for p in outs] == ['photo.png', 'photo_inpainted.png', 'mask.png']


def test_heic_photos_are_named_with_what_to_do(tmp_path, capsys):
    from inpaintzoo.utils.image_io import read_image

    only = tmp_path / 'iphone'
    only.mkdir()
    (only / 'IMG_0001.HEIC').write_bytes(b'\0\0\0\x18ftypheic' + b'\0' * 64)
    with pytest.raises(ImageReadError, match=r'IMG_0001\.HEIC.*convert them to JPEG'):
        collect_images([only])
    _png(only / 'IMG_0002.png')
    assert [p.name for p in collect_images([only])] == ['IMG_0002.png']
    err = capsys.readouterr().err
    assert 'skipping 1 file(s)' in err
    assert 'IMG_0001.HEIC' in err
    with pytest.raises(ImageReadError, match=r'HEIC/HEIF photos .* cannot be decoded'):
        read_image(only / 'IMG_0001.HEIC')


def test_avif_is_an_image_suffix(tmp_path):
    pytest.importorskip('PIL.AvifImagePlugin', reason='Pillow built without AVIF')
    from inpaintzoo.utils.image_io import read_image

    path = tmp_path / 'in' / 'photo.avif'
    path.parent.mkdir()
    pixels = np.full((8, 10, 3), 200, np.uint8)
    Image.fromarray(pixels).save(path, quality=100)
    assert collect_images([tmp_path / 'in']) == [path]
    assert read_image(path).shape == (8, 10, 3)
