import numpy as np
from PIL import Image

from inpaintzoo.datasets.masks.sort_by_ratio import sort_masks_by_ratio


def test_sort_masks_into_buckets(tmp_path):
    src = tmp_path / 'masks'
    src.mkdir()
    for name, rows in (('a', 1), ('b', 3), ('c', 3), ('d', 5), ('e', 0)):
        arr = np.zeros((10, 10), np.uint8)
        arr[:rows] = 255
        Image.fromarray(arr).save(src / f'{name}.png')
    out = tmp_path / 'sorted'
    counts = sort_masks_by_ratio(src, out)
    assert counts == {
        '0.01-20%': 1,
        '20-40%': 2,
        '40-60%': 1,
        '60-100%': 0,
        'no-hole': 1,
    }
    assert sorted(p.name for p in (out / '20-40%').iterdir()) == ['b.png', 'c.png']
    linked = sort_masks_by_ratio(src, tmp_path / 'links', mode='symlink')
    assert linked == counts
    assert (tmp_path / 'links' / '40-60%' / 'd.png').is_symlink()
