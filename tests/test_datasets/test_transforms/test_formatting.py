import numpy as np
import pytest
import torch

from inpaintzoo.datasets.transforms import PackInpaintInputs
from inpaintzoo.structures.inpaint_sample import InpaintSample
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError


def _results(**extra):
    img = np.zeros((8, 6, 3), np.uint8)
    img[..., 0] = 200  # red channel
    mask = np.zeros((8, 6), np.float32)
    mask[:2] = 1
    res = {
        'img': img,
        'mask': mask,
        'img_path': 'a.png',
        'mask_path': 'm.png',
        'mask_bucket': '20-40%',
        'ori_shape': (8, 6),
        'img_shape': (8, 6),
        'sample_idx': 3,
    }
    res.update(extra)
    return res


def test_pack_types_and_shapes():
    out = PackInpaintInputs().transform(_results())
    img, mask = out['inputs']['img'], out['inputs']['mask']
    assert img.dtype == torch.uint8
    assert img.shape == (3, 8, 6)
    assert (img[0] == 200).all()
    assert (img[1:] == 0).all()
    assert mask.dtype == torch.float32
    assert mask.shape == (1, 8, 6)
    assert mask.sum() == 12
    sample = out['data_samples']
    assert isinstance(sample, InpaintSample)
    assert sample.metainfo == {
        'img_path': 'a.png',
        'mask_path': 'm.png',
        'mask_bucket': '20-40%',
        'ori_shape': (8, 6),
        'img_shape': (8, 6),
        'sample_idx': 3,
    }
    assert 'landmarks' not in out['inputs']


def test_pack_landmarks():
    out = PackInpaintInputs().transform(_results(landmarks=[[1, 2], [3, 4]]))
    lm = out['inputs']['landmarks']
    assert lm.dtype == torch.float32
    assert lm.shape == (2, 2)


def test_pack_errors():
    with pytest.raises(ConfigError, match='mask'):
        PackInpaintInputs().transform(_results(mask=None))
    with pytest.raises(InvalidMaskError, match='does not match'):
        PackInpaintInputs().transform(_results(mask=np.zeros((4, 4), np.float32)))
