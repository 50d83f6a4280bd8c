"""A float image with NaN/Inf is refused with a message that says so."""

import numpy as np
import pytest
import torch

from inpaintzoo.apis.inputs import to_rgb_uint8
from inpaintzoo.utils.errors import InvalidImageError


def test_nan_in_a_float_image_is_named():
    img = torch.rand(3, 97, 131, generator=torch.Generator().manual_seed(0))
    img[:, 10:20, 10:20] = float('nan')
    img[0, 0, 0] = float('inf')
    with pytest.raises(InvalidImageError, match=r'300 NaN and 1 Inf value\(s\)'):
        to_rgb_uint8(img)


def test_out_of_range_float_image_names_the_range():
    img = np.full((4, 5, 3), 1.5, np.float32)
    with pytest.raises(InvalidImageError, match=r'\[1\.5, 1\.5\].*divide by 255'):
        to_rgb_uint8(img)
