"""tools/inference_highres.py runs every model and matches `inpaintzoo inpaint`."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.apis.highres_run import build_inpaintor, model_train_size, read_pair
from inpaintzoo.apis.inference import inpaint
from inpaintzoo.apis.mask_inputs import to_hole_mask
from tests.test_apis.test_highres_run import load_tool
from tests.test_apis.tiny_nclg import write_tiny_nclg


@pytest.fixture
def soft_files(tmp_path: Path) -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """A 97x131 image and an anti-aliased mask: 255 core, a ring of value 60."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (97, 131, 3), dtype=np.uint8)
    mask = np.zeros((97, 131), np.uint8)
    mask[20:50, 30:70] = 60  # the anti-aliased edge: a hole only at threshold 0
    mask[24:46, 34:66] = 255
    Image.fromarray(image).save(tmp_path / 'img.png')
    Image.fromarray(mask).save(tmp_path / 'mask.png')
    return tmp_path / 'img.png', tmp_path / 'mask.png', image, mask > 127


@pytest.mark.parametrize('strategy', ['whole', 'crop', 'resize', 'sliding'])
def test_tool_runs_a_fixed_size_nclg(strategy, soft_files, tmp_path, capsys):
    config, ckpt = write_tiny_nclg(tmp_path / 'nclg', input_size=32)
    img_path, mask_path, image, hole = soft_files
    out = tmp_path / f'{strategy}.png'
    load_tool().main(
        [
            *(str(config), str(img_path), str(mask_path), '--out', str(out)),
            *('--checkpoint', str(ckpt), '--strategy', strategy),
            *('--tile', '64', '--overlap', '16'),
        ]
    )
    assert '131x97' in capsys.readouterr().out
    result = np.asarray(Image.open(out))
    assert result.shape == image.shape
    np.testing.assert_array_equal(result[~hole], image[~hole])
    assert (result[hole] != image[hole]).any()


def test_mask_threshold_is_the_cli_default(soft_files):
    img_path, mask_path, _, hole = soft_files
    _, mask = read_pair(img_path, mask_path)
    np.testing.assert_array_equal(mask[0, 0].numpy(), to_hole_mask(mask_path))
    np.testing.assert_array_equal(mask[0, 0].numpy() > 0.5, hole)
    _, any_grey = read_pair(img_path, mask_path, threshold=0)
    assert any_grey.sum() > mask.sum()  # threshold 0: the grey ring is hole too
    _, known_white = read_pair(img_path, mask_path, 'known-white')
    _, black_hole = read_pair(img_path, mask_path, 'black_hole')
    np.testing.assert_array_equal(known_white.numpy(), black_hole.numpy())


def test_train_size_defaults_to_the_config_img_size(
    tiny_mxt_config, soft_files, tmp_path
):
    img_path, mask_path, _, _ = soft_files
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = build_inpaintor(tiny_mxt_config)
    ckpt = tmp_path / 'mxt.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    assert model_train_size(model) == 64
    args = load_tool().parse_args([str(tiny_mxt_config), 'a', 'b', '--out', 'o'])
    assert args.train_size is None
    for strategy in ('crop', 'resize'):
        out = tmp_path / f'{strategy}.png'
        load_tool().main(
            [
                *(
                    str(tiny_mxt_config),
                    str(img_path),
                    str(mask_path),
                    '--out',
                    str(out),
                ),
                *('--checkpoint', str(ckpt), '--strategy', strategy),
            ]
        )
        expected = inpaint(model, img_path, mask_path, strategy=strategy)
        np.testing.assert_array_equal(np.asarray(Image.open(out)), expected)
