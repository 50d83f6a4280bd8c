from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.datasets.file_list import (
    list_folder,
    list_source,
    natural_sort_key,
    read_flist,
)
from inpaintzoo.utils.errors import ConfigError, ImageReadError


def _touch_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(path)
    return path


def test_folder_is_recursive_sorted_and_filtered(tmp_path):
    for name in ('b.png', 'a.jpg', 'sub/c.webp', 'sub/d.JPEG'):
        _touch_png(tmp_path / name)
    (tmp_path / 'notes.txt').write_text('x')
    names = [Path(p).relative_to(tmp_path).as_posix() for p in list_folder(tmp_path)]
    assert names == ['a.jpg', 'b.png', 'sub/c.webp', 'sub/d.JPEG']


def test_numeric_sort_orders_unpadded_names(tmp_path):
    for i in (10, 2, 1, 100):
        _touch_png(tmp_path / f'{i}.jpg')
    numeric = [Path(p).stem for p in list_folder(tmp_path, numeric_sort=True)]
    lexical = [Path(p).stem for p in list_folder(tmp_path, numeric_sort=False)]
    assert numeric == ['1', '2', '10', '100']
    assert lexical == ['1', '10', '100', '2']
    assert natural_sort_key('00002.png') < natural_sort_key('00010.png')


def test_empty_folder_raises(tmp_path):
    (tmp_path / 'readme.txt').write_text('no images')
    with pytest.raises(ImageReadError, match='no image files'):
        list_folder(tmp_path)


def test_flist_keeps_order_and_resolves_relative_paths(tmp_path):
    a = _touch_png(tmp_path / 'imgs' / 'a.png')
    b = _touch_png(tmp_path / 'imgs' / 'b.png')
    flist = tmp_path / 'lists' / 'test.flist'
    flist.parent.mkdir()
    flist.write_text(f'../imgs/b.png\n\n{a}\n')
    assert [Path(p).resolve() for p in read_flist(flist)] == [b, a]
    other = tmp_path / 'other.flist'
    other.write_text('imgs/a.png\n')
    assert Path(read_flist(other, root=tmp_path)[0]).resolve() == a


def test_flist_missing_file_names_flist_and_path(tmp_path):
    flist = tmp_path / 'x.flist'
    flist.write_text('missing.png\n')
    with pytest.raises(ImageReadError, match=r'x\.flist, line 1.*missing\.png'):
        list_source(flist)


def test_source_errors(tmp_path):
    with pytest.raises(ImageReadError, match='does not exist'):
        list_source(tmp_path / 'nope')
    bad = _touch_png(tmp_path / 'single.png')
    with pytest.raises(ConfigError, match=r'folder or a \.flist'):
        list_source(bad)
