"""inpaint / restore / init_model on unusual inputs: warnings and one-line errors.

Alpha masks, masks without a hole, PIL objects that must read as their files,
empty arrays, bfloat16 tensors, mask shapes, devices, crop context and tiles.
"""

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.apis import inference as inference_mod
from inpaintzoo.apis import init_model, inpaint
from inpaintzoo.apis.highres import run_strategy
from inpaintzoo.apis.inputs import to_rgb_uint8
from inpaintzoo.apis.mask_inputs import mask_values
from inpaintzoo.apis.mask_warnings import AllHoleWarning, MaskWarning, NoHoleWarning
from inpaintzoo.apis.restoration import restore
from inpaintzoo.utils.errors import (
    ConfigError,
    ImageReadError,
    InvalidImageError,
    InvalidMaskError,
)

H, W = 29, 37


@pytest.fixture(scope='module')
def model(loaded_model):
    return loaded_model


@pytest.fixture(scope='module')
def picture() -> np.ndarray:
    """(H, W, 3) uint8 noise."""
    return np.random.default_rng(3).integers(0, 256, (H, W, 3), dtype=np.uint8)


@pytest.fixture(scope='module')
def box() -> np.ndarray:
    """(H, W) bool, True in the hole."""
    return np.pad(np.ones((12, 15), bool), ((8, H - 20), (10, W - 25)))


def _mask_warnings(run) -> list[warnings.WarningMessage]:
    """The MaskWarnings ``run()`` raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        run()
    return [w for w in caught if issubclass(w.category, MaskWarning)]


# ------------------------------------------------------------ defects 1 and 2


@pytest.mark.parametrize('colour', [0, 255], ids=['black', 'transparent-white'])
def test_alpha_mask_file_inpaints_its_hole(model, picture, box, tmp_path, colour):
    rgba = np.dstack([np.full((H, W, 3), colour), np.where(box, 255, 0)])
    Image.fromarray(rgba.astype(np.uint8), 'RGBA').save(tmp_path / 'm.png')
    plain = inpaint(model, picture, box)
    for mask in (tmp_path / 'm.png', Image.open(tmp_path / 'm.png'), rgba):
        assert not _mask_warnings(lambda m=mask: inpaint(model, picture, m))
        out = inpaint(model, picture, mask)
        assert np.array_equal(out, plain)  # exactly the drawn hole
        assert np.array_equal(out[~box], picture[~box])


def test_mask_without_hole_warns_naming_file_and_threshold(model, picture, tmp_path):
    Image.fromarray(np.full((H, W), 100, np.uint8)).save(tmp_path / 'grey.png')
    with pytest.warns(NoHoleWarning, match=r'grey\.png .*\[100, 100\].*above 127'):
        out = inpaint(model, picture, str(tmp_path / 'grey.png'))
    assert np.array_equal(out, picture)
    with pytest.warns(NoHoleWarning, match='no hole pixel'):
        inpaint(model, picture, np.zeros((H, W), bool))


def test_mask_that_is_all_hole_warns(model, picture):
    with pytest.warns(AllHoleWarning, match='hole everywhere'):
        inpaint(model, picture, np.ones((H, W), bool))


def test_ordinary_mask_does_not_warn(model, picture, box):
    assert not _mask_warnings(lambda: inpaint(model, picture, box))


# ------------------------------------------------------------------ defect 3


def test_pil_16_bit_image_reads_as_its_file(model, tmp_path, box):
    grey16 = np.random.default_rng(0).integers(0, 65536, (H, W), dtype=np.uint16)
    Image.fromarray(grey16).save(tmp_path / 'i16.png')
    pil = Image.open(tmp_path / 'i16.png')
    assert pil.mode == 'I;16'
    from_file = to_rgb_uint8(tmp_path / 'i16.png')
    assert np.array_equal(to_rgb_uint8(pil), from_file)
    assert np.array_equal(from_file[..., 0], (grey16 >> 8).astype(np.uint8))
    out_pil = inpaint(model, pil, box)
    assert np.array_equal(out_pil, inpaint(model, str(tmp_path / 'i16.png'), box))


def test_pil_float_image_is_refused_like_its_file():
    pil = Image.fromarray(np.full((H, W), 0.5, np.float32))
    with pytest.raises(ImageReadError, match='floating-point'):
        to_rgb_uint8(pil)


def test_pil_16_bit_mask_reads_as_its_file(tmp_path, box):
    mask16 = np.where(box, 30000, 0).astype(np.uint16)
    Image.fromarray(mask16).save(tmp_path / 'm16.png')
    from_file = mask_values(tmp_path / 'm16.png')
    assert np.array_equal(mask_values(Image.open(tmp_path / 'm16.png')), from_file)
    assert np.array_equal(mask_values(Image.fromarray(mask16)), from_file)
    assert int(from_file.max()) == 30000 >> 8  # the high byte, as for files


# ------------------------------------------------------------- defects 6, 7, 9


@pytest.mark.parametrize(
    'image',
    [
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((0, 5, 3), np.uint8),
        torch.zeros(3, 4, 0),
        Image.new('RGB', (0, 3)),
    ],
    ids=['array-0x0', 'array-5x0', 'tensor-0x4', 'pil-0x3'],
)
def test_image_without_pixels_is_refused(model, image):
    with pytest.raises(InvalidImageError, match=r'need at least 1x1'):
        inpaint(model, image, np.zeros((0, 0), np.uint8))


def test_bfloat16_image_and_mask_tensors(model, picture, box):
    image = torch.from_numpy(picture).permute(2, 0, 1).float() / 255
    hole = torch.from_numpy(box).float()
    want = inpaint(model, image, hole)
    got = inpaint(model, image.bfloat16(), hole.bfloat16())
    assert got.dtype == np.uint8
    # bfloat16 keeps 8 bits of mantissa: at most 1 level off in [0, 255]
    assert np.abs(got.astype(int) - want.astype(int))[~box].max() <= 1


def test_mask_shapes_with_channels_first(model, picture, box):
    m8 = np.where(box, 255, 0).astype(np.uint8)
    want = inpaint(model, picture, m8)
    t8 = torch.from_numpy(m8)
    for mask in (m8[None], t8[None].repeat(3, 1, 1), t8[None, None].repeat(1, 3, 1, 1)):
        assert np.array_equal(inpaint(model, picture, mask), want), tuple(mask.shape)


# ------------------------------------------------------------------ defect 4


def test_unknown_or_missing_device_is_one_line(tiny_cfg, monkeypatch):
    built = []
    monkeypatch.setattr(
        inference_mod, 'resolve_model_config', lambda m: built.append(m)
    )  # never reached
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(ConfigError, match=r"device='cuda': no CUDA GPU is available"):
        init_model(tiny_cfg, device='cuda')
    with pytest.raises(ConfigError, match=r"device='foo': unknown device"):
        init_model(tiny_cfg, device='foo')
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 1)
    with pytest.raises(ConfigError, match=r'there is no GPU 1: .* 1 CUDA GPU'):
        init_model(tiny_cfg, device='cuda:1')
    assert not built  # refused before any model work
    with pytest.raises(ConfigError, match=r'--device cuda:1: .* use --device cpu'):
        inference_mod.resolve_device('cuda:1', '--device')


# ------------------------------------------------------------------ defect 5, 9


@pytest.mark.parametrize('context', [float('inf'), float('-inf'), float('nan'), 0.5])
def test_crop_context_must_be_finite_and_at_least_one(context):
    image, mask = torch.rand(1, 3, 8, 8), torch.ones(1, 1, 8, 8)
    with pytest.raises(ConfigError, match='crop needs context >= 1'):
        run_strategy('crop', lambda x, m: x, image, mask, context=context)


def test_tile_alone_names_the_default_overlap(model, picture, box):
    want = r'tile=64 with the default overlap=64.*--overlap 32'
    with pytest.raises(ConfigError, match=want):
        inpaint(model, picture, box, strategy='sliding', tile=64)


# ----------------------------------------------------------------- restore


class IdentityRestorer:
    """A stand-in restorer: returns its input (data preprocessor scales by 255)."""

    def data_preprocessor(self, data: dict) -> dict:
        img = data['inputs']['img'][0].float()[None] / 255
        return {'inputs': {'img': img}}

    def restore_tensor(self, x: torch.Tensor) -> torch.Tensor:
        return x


def test_restore_refuses_nothing_and_empty_pictures():
    with pytest.raises(InvalidImageError, match='no image given'):
        restore(IdentityRestorer(), [])
    with pytest.raises(InvalidImageError, match=r'5x0 \(W x H\); need at least 1x1'):
        restore(IdentityRestorer(), np.zeros((0, 5, 3), np.uint8))


def test_restore_takes_bfloat16(picture):
    image = torch.from_numpy(picture).permute(2, 0, 1).float() / 255
    out = restore(IdentityRestorer(), image.bfloat16())
    assert np.abs(out.astype(int) - picture.astype(int)).max() <= 1


# --------------------------------------------------- names in messages


def test_unknown_strategy_lists_auto_too(model, picture, box):
    with pytest.raises(ConfigError) as err:
        inpaint(model, picture, box, strategy='tiles')
    assert str(err.value) == (
        "strategy must be one of 'auto', 'whole', 'sliding', 'crop', 'resize', "
        "got 'tiles'"
    )
    with pytest.raises(ConfigError, match=r"'auto' is taken by inpaint\(\)"):
        run_strategy(
            'auto', lambda x, m: x, torch.rand(1, 3, 4, 4), torch.ones(1, 1, 4, 4)
        )


def test_mask_threshold_outside_its_range_names_the_argument(model, picture, box):
    with pytest.raises(
        InvalidMaskError, match=r'mask_threshold=256: must be in \[0, 255\)'
    ):
        inpaint(model, picture, box, mask_threshold=256)


def test_config_stem_without_folder_or_suffix_gets_the_spelling_that_works():
    from inpaintzoo.apis.inference import resolve_model_config

    want = "'hint/hint-tiny_1xb4-300_demo-64x64.py'"
    for typed in (
        'hint-tiny_1xb4-300_demo-64x64',
        'hint-tiny_1xb4-300_demo-64x64.py',
        'hint/hint-tiny_1xb4-300_demo-64x64',
    ):
        with pytest.raises(ConfigError) as err:
            resolve_model_config(typed)
        assert want in str(err.value), typed
        assert 'hint_1xb4-300k' not in str(err.value)  # no unrelated zoo names
    with pytest.raises(ConfigError, match="did you mean 'hint_celeba'"):
        resolve_model_config('hint_celeb')  # a zoo name's typo keeps the zoo's hint


def test_deblurring_zoo_names_stand_for_their_configs(monkeypatch):
    # model_zoo/sem_net_deblur/metafile.yml is not in model-index.yml (no weights),
    # yet its aliases and names are what a user types after reading it
    from inpaintzoo.apis.config_suggestions import unlisted_metafiles
    from inpaintzoo.apis.inference import resolve_model_config
    from inpaintzoo.apis.restoration import check_restorer_config

    monkeypatch.delenv('INPAINTZOO_MODEL_INDEX', raising=False)
    assert [p.parent.name for p in unlisted_metafiles()] == ['sem_net_deblur']
    for typed, test_layout in (
        ('sem-net-deblur_gopro', 'gopro'),
        ('sem-deblur_1xb4-300k_gopro-256x256', 'gopro'),
        ('sem-net-deblur_gopro-on-hide', 'hide'),
    ):
        cfg, zoo_name = resolve_model_config(typed)
        assert cfg.model.type == 'Restorer'
        assert cfg.test_dataloader.dataset.layout == test_layout
        assert zoo_name is None  # nothing to download: --checkpoint gives weights
        check_restorer_config(typed)  # `inpaintzoo restore --config <alias>` passes
    with pytest.raises(ConfigError) as err:
        resolve_model_config('sem-net-deblur_gorpo')
    assert "Did you mean 'sem-net-deblur_gopro' (config " in str(err.value)
    assert 'sem_net_deblur/sem-deblur_1xb4-300k_gopro-256x256.py' in str(err.value)


def test_random_weights_warning_has_its_own_category(tiny_cfg):
    from inpaintzoo.apis.inference import RandomWeightsWarning

    with pytest.warns(RandomWeightsWarning, match='no checkpoint given'):
        init_model(tiny_cfg, device='cpu')
    assert issubclass(RandomWeightsWarning, UserWarning)
