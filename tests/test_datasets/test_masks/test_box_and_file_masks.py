import numpy as np
import pytest
from PIL import Image

from inpaintzoo.datasets.masks import BoxMask, RandomMaskFromFiles
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError


def test_box_mask_center():
    out = BoxMask(mode='center').transform({'img': np.zeros((64, 32, 3), np.uint8)})
    mask = out['mask']
    assert mask.sum() == 32 * 16
    assert mask[16:48, 8:24].all()
    assert out['mask_bucket'] == '20-40%'


def test_box_mask_random_is_seeded_per_sample():
    box = BoxMask(mode='random', seed=0)
    masks = [box.generate((40, 40), box.rng_for(i)) for i in range(6)]
    assert all(m.sum() == 400 for m in masks)
    assert len({m.tobytes() for m in masks}) > 1
    np.testing.assert_array_equal(masks[2], box.generate((40, 40), box.rng_for(2)))
    with pytest.raises(ConfigError, match='mode'):
        BoxMask(mode='corner')


def test_random_mask_from_files(tmp_path):
    # non-square white-hole file: left half of the centre square is a hole
    arr = np.zeros((40, 80), np.uint8)
    arr[:, 20:40] = 255
    Image.fromarray(arr).save(tmp_path / 'm.png')
    masker = TRANSFORMS.build(
        dict(type='RandomMaskFromFiles', mask_source=str(tmp_path), seed=0)
    )
    assert isinstance(masker, RandomMaskFromFiles)
    out = masker.transform({'img': np.zeros((20, 20, 3), np.uint8), 'sample_idx': 0})
    mask = out['mask']
    assert mask.shape == (20, 20)
    assert set(np.unique(mask)) == {0.0, 1.0}
    np.testing.assert_array_equal(mask[:, :10], 1)
    np.testing.assert_array_equal(mask[:, 10:], 0)


def test_random_mask_from_files_picks_per_sample(tmp_path):
    for i in range(5):
        arr = np.zeros((16, 16), np.uint8)
        arr[: i + 1] = 255
        Image.fromarray(arr).save(tmp_path / f'{i}.png')
    masker = RandomMaskFromFiles(str(tmp_path), seed=1)
    ratios = [
        masker.transform({'img_shape': (16, 16), 'sample_idx': i})['mask'].mean()
        for i in range(20)
    ]
    assert len(set(ratios)) > 1
    again = masker.transform({'img_shape': (16, 16), 'sample_idx': 3})['mask'].mean()
    assert again == ratios[3]
