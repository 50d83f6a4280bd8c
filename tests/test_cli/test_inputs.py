"""Files of `inpaintzoo inpaint`: gathering, mask pairing, output names."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.cli.input_files import check_pair_sizes, collect_images, pair_masks
from inpaintzoo.cli.output_files import (
    CLASH_SUFFIXES,
    check_out_dir,
    plan_outputs,
    plan_results,
)
from inpaintzoo.utils.errors import (
    ConfigError,
    FolderPairingError,
    ImageReadError,
    InvalidMaskError,
)


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
    # `restore` labels its clashes as restored (CLASH_SUFFIXES), inpaint unchanged
    outs = plan_results(tmp_path, [photo, twin], [], [photo, twin], None, '_restored')
    assert outs == [tmp_path / 'photo_restored.png', tmp_path / 'photo_restored2.png']
    assert CLASH_SUFFIXES == {'inpaint': '_inpainted', 'restore': '_restored'}


def test_an_image_keeps_its_own_result_name_when_stems_clash(tmp_path):
    """photo.png's result is photo.png; a clash name is never another image's own
    name (photo.jpg does not take photo_restored.png from photo_restored.png)."""
    names = ['photo.jpg', 'photo.png', 'photo_restored.png']
    images = [_png(tmp_path / 'in' / n) for n in names]
    outs = plan_outputs(images, [], tmp_path / 'out', '_restored')
    assert [p.name for p in outs] == [
        'photo_restored2.png',
        'photo.png',
        'photo_restored.png',
    ]
    # no .png among them: the first keeps the name, as before
    jpgs = [_png(tmp_path / d / 'x.jpg') for d in ('a', 'b')]
    assert [p.name for p in plan_outputs(jpgs, [], tmp_path / 'out')] == [
        'x.png',
        'x_inpainted.png',
    ]


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


# ----------------------------------------------- same stems, hidden and other files


def test_same_stem_in_one_folder_needs_unique_stems_only_for_mask_dir(tmp_path):
    a_png, a_jpg = _png(tmp_path / 'in' / 'a.png'), _png(tmp_path / 'in' / 'a.jpg')
    images = collect_images([tmp_path / 'in'])
    assert images == [a_jpg, a_png]  # both kept: no pairing by stem yet
    mask = _png(tmp_path / 'm.png')
    assert pair_masks(images, mask=mask) == [mask, mask]
    outs = plan_outputs(images, [mask, mask], tmp_path / 'out')
    assert [p.name for p in outs] == ['a_inpainted.png', 'a.png']  # a.png keeps a.png
    _png(tmp_path / 'masks' / 'a.png')
    with pytest.raises(FolderPairingError) as err:
        pair_masks(images, mask_dir=tmp_path / 'masks')
    text = str(err.value)
    assert 'a.jpg and a.png in ' in text
    assert 'pairs masks by file stem' in text
    assert 'pass --mask FILE' in text


def test_two_masks_of_one_stem_are_refused_only_when_that_stem_is_paired(tmp_path):
    images = [_png(tmp_path / 'in' / 'a.png')]
    ma = _png(tmp_path / 'masks' / 'a.png')
    _png(tmp_path / 'masks' / 'z.png')
    _png(tmp_path / 'masks' / 'z.jpg')  # unused twin: ignored like any extra mask
    assert pair_masks(images, mask_dir=tmp_path / 'masks') == [ma]
    _png(tmp_path / 'masks' / 'a.bmp')
    with pytest.raises(FolderPairingError, match=r'masks a\.bmp and a\.png .*stem'):
        pair_masks(images, mask_dir=tmp_path / 'masks')


def test_hidden_files_are_skipped_and_other_pictures_noted(tmp_path, capsys):
    folder = tmp_path / 'in'
    a = _png(folder / 'a.png')
    (folder / '._a.png').write_bytes(b'\0\5\26\7')  # macOS AppleDouble file
    (folder / '.DS_Store').write_bytes(b'\0\0\0\1Bud1')
    (folder / 'notes.txt').write_text('x')
    Image.fromarray(np.zeros((4, 5, 3), np.uint8)).save(folder / 'e.gif')
    (folder / 'IMG_1.HEIC').write_bytes(b'\0\0\0\x18ftypheic' + b'\0' * 64)
    assert collect_images([folder]) == [a]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1  # one note line for the folder
    assert err[0].startswith('note: skipping 2 file(s) of ')
    assert 'IMG_1.HEIC, e.gif' in err[0]
    assert 'first frame' in err[0]
    assert 'convert them to JPEG' in err[0]
    assert '._a.png' not in err[0]
    assert 'notes.txt' not in err[0]
    # a hidden file in the mask folder is not a mask either
    (tmp_path / 'masks').mkdir()
    (tmp_path / 'masks' / '._a.png').write_bytes(b'\0\5\26\7')
    ma = _png(tmp_path / 'masks' / 'a.png')
    assert pair_masks([a], mask_dir=tmp_path / 'masks') == [ma]


def test_folder_of_gifs_only_says_what_it_holds(tmp_path):
    (tmp_path / 'in').mkdir()
    Image.fromarray(np.zeros((4, 5, 3), np.uint8)).save(tmp_path / 'in' / 'e.gif')
    with pytest.raises(ImageReadError, match=r'holds no image files.*it holds e\.gif'):
        collect_images([tmp_path / 'in'])
    assert collect_images([tmp_path / 'in' / 'e.gif'])  # by name it is read


# ------------------------------------------------------- results that exist


def test_existing_result_that_cannot_be_overwritten_is_refused(tmp_path, monkeypatch):
    from inpaintzoo.cli import output_files

    photo, mask = _png(tmp_path / 'in' / 'photo.png'), _png(tmp_path / 'm.png')
    out = tmp_path / 'out'
    _png(out / 'photo.png')  # an earlier result: overwritten, fine
    assert plan_results(out, [photo], [mask], [photo]) == [out / 'photo.png']
    real_access = os.access
    read_only = {out / 'photo.png', tmp_path / 'r.png'}
    monkeypatch.setattr(  # as for a user without write permission (tests run as root)
        output_files.os,
        'access',
        lambda p, mode: (
            not (Path(p) in read_only and mode & os.W_OK) and real_access(p, mode)
        ),
    )
    with pytest.raises(PermissionError) as err:
        plan_results(out, [photo], [mask], [photo])
    assert str(err.value).startswith(f'--out {out}: cannot overwrite ')
    assert f'{out / "photo.png"} (read-only)' in str(err.value)
    _png(tmp_path / 'r.png')
    with pytest.raises(PermissionError, match=r'--out .*r\.png: cannot overwrite'):
        plan_results(tmp_path / 'r.png', [photo], [mask], [photo])
    (tmp_path / 'o2' / 'photo.png').mkdir(parents=True)  # a folder of the name
    with pytest.raises(PermissionError, match=r'photo\.png \(a folder\)'):
        plan_results(tmp_path / 'o2', [photo], [mask], [photo])


# ------------------------------------------------------------ pair sizes


def _turned(path: Path, size: tuple[int, int], tag: int) -> Path:
    """A (W, H) = ``size`` JPEG whose EXIF orientation tag is ``tag``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    exif[0x0112] = tag
    img = Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8))
    img.save(path, exif=exif.tobytes())
    return path


def test_pair_sizes_are_all_listed_in_one_error(tmp_path):
    images = [_png(tmp_path / 'in' / f'{s}.png', (5, 4)) for s in 'abc']
    masks = [
        _png(tmp_path / 'm' / 'a.png', (5, 4)),
        _png(tmp_path / 'm' / 'b.png', (5, 5)),
        _png(tmp_path / 'm' / 'c.png', (6, 4)),
    ]
    check_pair_sizes(images[:1], masks[:1])
    with pytest.raises(InvalidMaskError) as err:
        check_pair_sizes(images, masks)
    text = str(err.value)
    assert text.startswith("2 of 3 masks do not have their image's size")
    assert 'nothing was run' in text
    assert 'b.png is 5x5 (W x H) but image' in text
    assert 'c.png is 6x4 (W x H) but image' in text
    assert 'a.png is' not in text


def test_pair_sizes_follow_the_exif_orientation(tmp_path):
    photo = _turned(tmp_path / 'photo.jpg', (6, 4), 6)  # shown 4 wide, 6 high
    shown = _png(tmp_path / 'shown.png', (4, 6))
    stored = _png(tmp_path / 'stored.png', (6, 4))
    check_pair_sizes([photo], [shown], 'exif')
    check_pair_sizes([photo], [stored], 'stored')
    with pytest.raises(InvalidMaskError) as err:
        check_pair_sizes([photo], [stored], 'exif')
    assert 'EXIF orientation tags: image 6, mask 1' in str(err.value)
    assert '--orientation stored' in str(err.value)
    assert str(err.value).endswith('(nothing was run)')


def test_image_is_its_own_mask_whatever_the_spelling(tmp_path, monkeypatch):
    # absolute image path, relative --mask-dir naming the same folder
    image = _png(tmp_path / 'in' / 'a.png')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FolderPairingError, match='its own mask'):
        pair_masks([image], mask_dir='in')
    # relative image path, absolute --mask of the same file
    with pytest.raises(FolderPairingError, match='its own mask'):
        pair_masks([Path('in') / 'a.png'], mask=image)
    # a symlink to the image given as the one --mask
    link = tmp_path / 'link.png'
    link.symlink_to(image)
    with pytest.raises(FolderPairingError, match='its own mask'):
        pair_masks([image], mask=link)
    # a real mask with the same name in another folder is fine
    other = _png(tmp_path / 'masks' / 'a.png')
    assert pair_masks([image], mask_dir='masks') == [Path('masks') / 'a.png']
    assert pair_masks([image], mask=other) == [other]


def test_one_image_under_two_spellings_is_collected_once(tmp_path, monkeypatch):
    image = _png(tmp_path / 'in' / 'a.png')
    link = tmp_path / 'link.png'
    link.symlink_to(image)
    monkeypatch.chdir(tmp_path)
    got = collect_images([image, Path('in') / 'a.png', 'in/../in/a.png', link])
    assert got == [image]
    # a folder and the file inside it, written differently
    got = collect_images(['in', image])
    assert got == [Path('in') / 'a.png']
