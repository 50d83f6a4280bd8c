"""init_model / inpaint: any size, every input kind, each mask convention."""

import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.apis import InpaintResult, init_model, inpaint
from inpaintzoo.apis import inference as inference_mod
from inpaintzoo.utils.errors import ConfigError, InvalidImageError, InvalidMaskError

BIG_H, BIG_W = 300, 451  # the size of the report
H, W = 45, 67  # odd size, not a multiple of the stride (fast)


@pytest.fixture(scope='module')
def model(tiny_cfg, generator_ckpt):
    return init_model(tiny_cfg, str(generator_ckpt), device='cpu')


@pytest.fixture(scope='module')
def picture() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (H, W, 3), dtype=np.uint8)


@pytest.fixture(scope='module')
def hole() -> np.ndarray:
    """(H, W) uint8 0/255, white = hole: a box in the middle."""
    mask = np.zeros((H, W), np.uint8)
    mask[10:30, 20:50] = 255
    return mask


def _check_composite(out: np.ndarray, picture: np.ndarray, hole: np.ndarray) -> None:
    assert out.shape == picture.shape
    assert out.dtype == np.uint8
    known = hole == 0
    assert np.array_equal(out[known], picture[known])  # known pixels kept exactly
    assert not np.array_equal(out[~known], picture[~known])


def test_init_model_loads_generator_only_weights(model, trained_model):
    assert not model.training
    for k, v in trained_model.generator.state_dict().items():
        assert torch.equal(model.generator.state_dict()[k], v)
    assert model.cfg.img_size == 64


def test_init_model_from_config_path_without_weights_warns(generator_ckpt):
    from tests.test_apis.tiny_inpaintor import TINY_CONFIG

    with pytest.warns(UserWarning, match='random weights'):
        net = init_model(str(TINY_CONFIG), device='cpu')
    assert not net.training


def test_451x300_picture_keeps_its_size(model):
    big = np.random.default_rng(1).integers(0, 256, (BIG_H, BIG_W, 3), np.uint8)
    big_hole = np.zeros((BIG_H, BIG_W), np.uint8)
    big_hole[100:180, 150:300] = 255
    _check_composite(inpaint(model, big, big_hole), big, big_hole)


def test_odd_size_numpy_keeps_native_size(model, picture, hole):
    out = inpaint(model, picture, hole)
    _check_composite(out, picture, hole)
    raw = inpaint(model, picture, hole, return_raw=True)
    assert isinstance(raw, InpaintResult)
    assert np.array_equal(raw.composite, out)
    assert raw.raw.shape == (H, W, 3)
    assert raw.raw.dtype == np.float32
    assert raw.raw.min() >= 0
    assert raw.raw.max() <= 1
    # the composite's hole is the raw output there
    inside = hole > 0
    assert np.array_equal(
        raw.composite[inside], np.round(raw.raw[inside] * 255).astype(np.uint8)
    )


def test_every_input_kind_gives_the_same_result(model, picture, hole, tmp_path):
    expected = inpaint(model, picture, hole)
    Image.fromarray(picture).save(tmp_path / 'img.png')
    Image.fromarray(hole).save(tmp_path / 'mask.png')
    img_t = torch.from_numpy(picture).permute(2, 0, 1)
    mask_t = torch.from_numpy(hole > 0)[None]
    kinds = [
        (str(tmp_path / 'img.png'), tmp_path / 'mask.png'),
        (Image.fromarray(picture), Image.fromarray(hole)),
        (img_t, mask_t),  # uint8 image tensor, bool mask tensor
        (img_t.float() / 255, mask_t.float()),  # float tensors in [0, 1]
        (picture.astype(np.float32) / 255, (hole > 0).astype(np.uint8)),  # 0/1
    ]
    for image, mask in kinds:
        np.testing.assert_array_equal(inpaint(model, image, mask), expected)


def test_lists_and_batches_of_different_sizes(model, picture, hole):
    small, small_hole = picture[:37, :53], hole[:37, :53].copy()
    small_hole[5:20, 5:20] = 255
    outs = inpaint(model, [picture, small], [hole, small_hole])
    assert isinstance(outs, list)
    assert len(outs) == 2
    assert outs[0].shape == (H, W, 3)
    assert outs[1].shape == (37, 53, 3)
    np.testing.assert_array_equal(outs[0], inpaint(model, picture, hole))
    np.testing.assert_array_equal(outs[1], inpaint(model, small, small_hole))
    # an (N, 3, H, W) tensor batch with one shared mask
    batch = torch.from_numpy(np.stack([picture, picture])).permute(0, 3, 1, 2)
    res = inpaint(model, batch, hole, return_raw=True)
    assert [type(r) for r in res] == [InpaintResult, InpaintResult]
    np.testing.assert_array_equal(res[1].composite, outs[0])


def test_mask_conventions_and_threshold(model, picture, hole):
    expected = inpaint(model, picture, hole)
    np.testing.assert_array_equal(
        inpaint(model, picture, 255 - hole, mask_convention='known-white'), expected
    )
    # anti-aliased grey: 127 is known, 128 is a hole (documented threshold 127)
    grey = np.where(hole > 0, 128, 127).astype(np.uint8)
    np.testing.assert_array_equal(inpaint(model, picture, grey), expected)
    grey_known = np.where(hole > 0, 127, 128).astype(np.uint8)
    np.testing.assert_array_equal(
        inpaint(model, picture, grey_known, mask_convention='known-white'), expected
    )
    with pytest.raises(InvalidMaskError, match='known-white'):
        inpaint(model, picture, hole, mask_convention='black')


def test_mask_of_another_size_names_both_sizes(model, tmp_path):
    picture = np.zeros((BIG_H, BIG_W, 3), np.uint8)
    Image.fromarray(np.zeros((BIG_H, 450), np.uint8)).save(tmp_path / 'm.png')
    with pytest.raises(InvalidMaskError) as err:
        inpaint(model, picture, tmp_path / 'm.png')
    msg = str(err.value)
    assert '450x300' in msg
    assert '451x300' in msg
    assert 'm.png' in msg


def test_bad_inputs_are_refused_clearly(model, picture, hole):
    with pytest.raises(InvalidImageError, match='dtype uint16'):
        inpaint(model, picture.astype(np.uint16), hole)
    with pytest.raises(InvalidImageError, match=r'\[0, 1\]'):
        inpaint(model, picture.astype(np.float32), hole)
    with pytest.raises(InvalidMaskError, match='2 images but 3 masks'):
        inpaint(model, [picture, picture], [hole] * 3)
    with pytest.raises(ConfigError, match='tile'):
        inpaint(model, picture, hole, tile=64)


def test_other_strategies_go_through_run_strategy(model, picture, hole, monkeypatch):
    """Until apis.highres exists, a stand-in checks the call contract."""
    import sys
    import types

    calls = {}

    def run_strategy(strategy, forward, image, mask, *, train_size, **options):
        calls.update(strategy=strategy, shape=tuple(image.shape), size=train_size)
        calls.update(options=options)
        return forward(image, mask)

    stand_in = types.ModuleType('inpaintzoo.apis.highres')
    stand_in.run_strategy = run_strategy
    monkeypatch.setitem(sys.modules, 'inpaintzoo.apis.highres', stand_in)
    out = inpaint(model, picture, hole, strategy='sliding', tile=32, overlap=8)
    assert calls == dict(
        strategy='sliding',
        shape=(1, 3, H, W),
        size=64,
        options=dict(tile=32, overlap=8),
    )
    np.testing.assert_array_equal(out, inpaint(model, picture, hole, strategy='whole'))


def test_zoo_name_uses_the_hub(tiny_cfg, generator_ckpt, monkeypatch, tmp_path):
    """A zoo name resolves its config and downloads weights via inpaintzoo.hub."""
    import importlib
    import sys
    import types
    from dataclasses import dataclass

    from tests.test_apis.tiny_inpaintor import TINY_CONFIG

    @dataclass
    class Info:
        name: str
        config: str

        def config_path(self) -> str:
            return self.config

    # the real metafile reader stays importable under the stand-in package
    # (unlisted zoo names, e.g. the deblurring aliases, are looked up with it)
    importlib.import_module('inpaintzoo.hub.model_index')
    hub = types.ModuleType('inpaintzoo.hub')

    def get_model_info(name):
        if name != 'hint_tiny':
            raise ConfigError(f'unknown model {name!r}; close: hint_tiny')
        return Info(name, str(TINY_CONFIG))

    hub.get_model_info = get_model_info
    hub.download = lambda name: generator_ckpt
    monkeypatch.setitem(sys.modules, 'inpaintzoo.hub', hub)
    # the tiny config is dim 16; the checkpoint is dim 4: prove it went through
    with pytest.raises(Exception, match=r'gen_only\.pth'):
        init_model('hint_tiny', device='cpu')
    with pytest.raises(ConfigError, match='neither a config file nor a zoo model'):
        init_model('hint_tinyy', device='cpu')
    monkeypatch.setattr(
        inference_mod.Config, 'fromfile', staticmethod(lambda path: tiny_cfg)
    )
    net = init_model('hint_tiny', device='cpu')
    assert net.cfg is tiny_cfg


@pytest.mark.parametrize(
    ('strategy', 'options'),
    [('sliding', dict(tile=32, overlap=8)), ('crop', {}), ('resize', {})],
)
def test_real_highres_strategies_keep_size_and_known_pixels(
    model, picture, hole, strategy, options
):
    out = inpaint(model, picture, hole, strategy=strategy, **options)
    _check_composite(out, picture, hole)


def test_unknown_strategy_is_refused(model, picture, hole):
    with pytest.raises(ConfigError, match='strategy'):
        inpaint(model, picture, hole, strategy='tiles')


def test_exif_turned_photo_is_inpainted_as_shown(model, picture, hole, tmp_path):
    """A phone photo stored sideways with an EXIF tag, the mask drawn as shown."""
    stored = np.ascontiguousarray(np.rot90(picture, k=1))  # H, W swapped on disk
    photo = tmp_path / 'phone.png'
    exif = Image.Exif()
    exif[0x0112] = 6  # shown = stored turned 90 degrees clockwise = picture
    Image.fromarray(stored).save(photo, exif=exif)
    drawn = tmp_path / 'drawn.png'
    Image.fromarray(hole).save(drawn)
    expected = inpaint(model, picture, hole)
    assert np.array_equal(inpaint(model, str(photo), str(drawn)), expected)
    with Image.open(photo) as pil:  # a PIL image keeps its tag too
        assert np.array_equal(inpaint(model, pil, hole), expected)
    tagged = tmp_path / 'tagged_mask.png'  # a mask saved sideways with its own tag
    Image.fromarray(np.ascontiguousarray(np.rot90(hole, k=1))).save(tagged, exif=exif)
    assert np.array_equal(inpaint(model, str(photo), str(tagged)), expected)
    with pytest.raises(InvalidMaskError, match="orientation='exif'"):
        inpaint(model, str(photo), str(drawn), orientation='stored')
    on_stored = tmp_path / 'on_stored.png'  # a mask drawn on the stored pixels
    Image.fromarray(np.ascontiguousarray(np.rot90(hole, k=1))).save(on_stored)
    with pytest.raises(InvalidMaskError, match="orientation='stored'"):
        inpaint(model, str(photo), str(on_stored))
    out = inpaint(model, str(photo), str(on_stored), orientation='stored')
    _check_composite(out, stored, np.rot90(hole, k=1))  # the network is not turned
    with pytest.raises(ConfigError, match='orientation'):
        inpaint(model, picture, hole, orientation='upright')


def test_auto_strategy_runs_whole_up_to_the_limit_and_crop_above(
    model, picture, hole, monkeypatch
):
    from inpaintzoo.apis import highres

    assert highres.auto_strategy(1024, 1024) == 'whole'
    assert highres.auto_strategy(1025, 1024) == 'crop'
    whole = inpaint(model, picture, hole, strategy='whole')
    crop = inpaint(model, picture, hole, strategy='crop')
    assert not np.array_equal(whole, crop)
    assert np.array_equal(inpaint(model, picture, hole), whole)  # 45 x 67: whole
    monkeypatch.setattr(highres, 'AUTO_WHOLE_MAX_PIXELS', H * W - 1)
    assert np.array_equal(inpaint(model, picture, hole), crop)  # one pixel above
    with pytest.raises(ConfigError, match="strategy='auto' takes none"):
        inpaint(model, picture, hole, context=3.0)


def test_grey_picture_gets_a_grey_fill(model, picture, hole, tmp_path):
    """An old black-and-white photo: the fill must not be tinted."""
    grey = np.repeat(picture[..., :1], 3, axis=2)
    res = inpaint(model, grey, hole, return_raw=True)
    out = res.composite
    assert (out[..., 0] == out[..., 1]).all()
    assert (out[..., 1] == out[..., 2]).all()
    inside = hole > 0
    raw = np.rint(res.raw * 255)[inside]
    luma = np.rint(raw @ np.array([0.299, 0.587, 0.114]))
    assert np.abs(out[inside][:, 0] - luma).max() <= 1  # the raw colours' luma
    tinted = inpaint(model, grey, hole, match_grey=False)
    assert not (tinted[..., 0] == tinted[..., 2]).all()  # the random net tints
    path = tmp_path / 'bw.png'
    Image.fromarray(grey[..., 0]).save(path)  # an 'L' file
    assert np.array_equal(inpaint(model, str(path), hole), out)
    colour = inpaint(model, picture, hole)  # a colour picture keeps its colours
    assert not (colour[inside][:, 0] == colour[inside][:, 2]).all()
