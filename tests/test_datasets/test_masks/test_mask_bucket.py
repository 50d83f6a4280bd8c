import itertools

import numpy as np
import pytest

from inpaintzoo.datasets.masks import MASK_BUCKETS, mask_bucket, ratio_to_bucket


@pytest.mark.parametrize(
    ('ratio', 'label'),
    [
        (0.0, None),
        (1e-6, '0.01-20%'),
        (0.2, '0.01-20%'),
        (0.2000001, '20-40%'),
        (0.4, '20-40%'),
        (0.41, '40-60%'),
        (0.6, '40-60%'),
        (0.61, '60-100%'),
        (1.0, '60-100%'),
    ],
)
def test_bucket_edges(ratio, label):
    assert ratio_to_bucket(ratio) == label


@pytest.mark.parametrize('ratio', [-0.1, 1.5, float('nan')])
def test_invalid_ratio(ratio):
    with pytest.raises(ValueError, match='hole ratio'):
        ratio_to_bucket(ratio)


def test_buckets_are_contiguous():
    assert MASK_BUCKETS[0][1] == 0.0
    assert MASK_BUCKETS[-1][2] == 1.0
    for (_, _, high), (_, low, _) in itertools.pairwise(MASK_BUCKETS):
        assert high == low


def test_mask_bucket_of_array():
    mask = np.zeros((10, 10), np.float32)
    assert mask_bucket(mask) is None
    mask[:3] = 1
    assert mask_bucket(mask) == '20-40%'
