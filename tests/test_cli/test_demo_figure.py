"""The demo ending: an unseen picture, a fixed mask, the side-by-side figure."""

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.cli.demo_figure import (
    DEMO_PICTURE,
    DEMO_SIZE,
    LABEL_HEIGHT,
    demo_mask,
    demo_picture,
    inpaint_demo_picture,
    side_by_side,
)
from inpaintzoo.datasets.demo import _sources


def test_demo_picture_is_not_in_the_demo_data_set():
    picture = demo_picture()
    assert picture.shape == (*DEMO_SIZE, 3)
    assert picture.dtype == np.uint8
    assert DEMO_SIZE[0] % 2 == 1
    assert DEMO_SIZE[1] % 2 == 1
    from skimage import data

    unseen = getattr(data, DEMO_PICTURE)()
    for name, load in _sources().items():
        source = load()
        same = source.shape == unseen.shape and np.array_equal(source, unseen)
        assert not same, f'the demo picture is the data set picture {name}'


def test_demo_mask_is_fixed_and_in_the_20_40_bucket():
    mask = demo_mask()
    assert mask.shape == DEMO_SIZE
    assert set(np.unique(mask)) == {0, 255}
    assert 0.2 <= (mask > 0).mean() <= 0.4
    assert np.array_equal(mask, demo_mask())


def test_side_by_side_layout():
    red = np.zeros((3, 5, 3), np.uint8)
    red[..., 0] = 200
    grey = np.full((3, 5), 90, np.uint8)
    fig = side_by_side([('a', red), ('b', grey)], scale=2, gap=4)
    assert fig.shape == (LABEL_HEIGHT + 6, 2 * 10 + 4, 3)
    assert (fig[LABEL_HEIGHT:, :10] == [200, 0, 0]).all()
    assert (fig[LABEL_HEIGHT:, 10:14] == 255).all()  # the gap
    assert (fig[LABEL_HEIGHT:, 14:] == 90).all()
    assert (fig[:LABEL_HEIGHT] < 255).any()  # labels are drawn
    with pytest.raises(ValueError, match='differ in size'):
        side_by_side([('a', red), ('b', grey[:2])])


@pytest.mark.slow  # ~7 s on 2 busy cores (first forward at a new size)
def test_inpaint_demo_picture_writes_the_figure(tiny_model_files, tmp_path, capsys):
    config, ckpt = tiny_model_files
    path = inpaint_demo_picture(config, ckpt, tmp_path / 'picture', 'hint (demo)')
    assert path == tmp_path / 'picture' / 'figure.png'
    fig = np.asarray(Image.open(path))
    height, width = DEMO_SIZE
    assert fig.shape == (LABEL_HEIGHT + 2 * height, 4 * 2 * width + 3 * 4, 3)
    model = np.asarray(Image.open(tmp_path / 'picture' / 'model' / 'input.png'))
    known = demo_mask() == 0
    assert np.array_equal(model[known], demo_picture()[known])
    # the CLI printed its output; the input files are untouched
    assert capsys.readouterr().out.strip() == str(tmp_path / 'picture/model/input.png')
    assert np.array_equal(
        np.asarray(Image.open(tmp_path / 'picture' / 'input.png')), demo_picture()
    )
