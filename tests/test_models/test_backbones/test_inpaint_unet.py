import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.converters import convert_official, official_kwargs_to_config
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import InvalidMaskError
from tests.reference_fixture import load_reference


def tiny(**overrides):
    cfg = dict(
        type='InpaintUNet', dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 2, 2, 4]
    )
    cfg.update(overrides)
    return MODELS.build(cfg)


def _numel(module):
    return sum(p.numel() for p in module.parameters())


def test_full_size_hint_parameter_count():
    net = MODELS.build(official_kwargs_to_config('hint', {}))
    assert _numel(net) == 72_265_248
    per_stage = {
        'embed': 3456, 'encoder1': 374836, 'down1': 12096, 'encoder2': 2175348,
        'down2': 44928, 'encoder3': 8546280, 'down3': 172800, 'latent': 45185248,
        'up3': 2654208, 'reduce3': 73728, 'decoder3': 8546280, 'up2': 663552,
        'reduce2': 18432, 'decoder2': 2175348, 'up1': 165888, 'decoder1': 1450228,
        'output': 2592,
    }  # fmt: skip
    assert {n: _numel(m) for n, m in net.named_children()} == per_stage
    assert net.stride == 16


@pytest.fixture(scope='module')
def hint_fixture(reference_dir):
    cfg, sd, io = load_reference(reference_dir, 'hint', 'generator_state_dict.pt')
    net = MODELS.build(official_kwargs_to_config('hint', cfg['constructor_kwargs']))
    net.load_state_dict(convert_official(sd, 'hint', net).state_dict, strict=True)
    return cfg, sd, io, net.eval()


def test_hint_fixture_float64(hint_fixture):
    _, _, io, net = hint_fixture
    with torch.no_grad():
        out = net.double()(io['image'], io['mask'])
    torch.testing.assert_close(out, io['output'], rtol=0, atol=1e-8)


def test_hint_fixture_float32(hint_fixture):
    _, _, io, net = hint_fixture
    with torch.no_grad():
        out = net.float()(io['image'].float(), io['mask'].float())
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, io['output_float32'], rtol=0, atol=1e-4)


def test_hint_fixture_official_inputs_and_init(hint_fixture):
    cfg, sd, io, _ = hint_fixture
    sd = dict(sd)
    for key, info in cfg['perturbed_constant_tensors'].items():
        sd[key] = torch.full_like(sd[key], info['official_init_value'])
    net = MODELS.build(official_kwargs_to_config('hint', cfg['constructor_kwargs']))
    net.load_state_dict(convert_official(sd, 'hint', net).state_dict, strict=True)
    net = net.double().eval()
    with torch.no_grad():
        out = net(io['image'], io['mask'])
        # the body on the official wrapper's exact inputs
        x = torch.cat([io['inp_img'], io['mask_whole']], 1)
        masks = [io['mask_whole'], io['mask_half'], io['mask_quarter'], io['mask_tiny']]
        body = net.forward_padded(x, masks)
    torch.testing.assert_close(out, io['output_official_init'], rtol=0, atol=1e-8)
    torch.testing.assert_close(body, out, rtol=0, atol=0)
    for ours, name in zip(
        net.level_masks(io['mask']),
        ['mask_whole', 'mask_half', 'mask_quarter', 'mask_tiny'],
    ):
        torch.testing.assert_close(ours, io[name], rtol=0, atol=0)


def test_padding_is_noop_at_multiples_of_stride():
    torch.manual_seed(0)
    net = tiny().double().eval()
    img = torch.rand(2, 3, 16, 32, dtype=torch.float64)
    mask = (torch.rand(2, 1, 16, 32) > 0.7).double()
    with torch.no_grad():
        out = net(img, mask)
        x = torch.cat([img * (1 - mask) + mask, mask], 1)
        ref = net.forward_padded(x, net.level_masks(mask))
    torch.testing.assert_close(out, ref, rtol=0, atol=0)


@pytest.mark.parametrize(
    'size',
    # (8, *) and (*, 8): the pad to stride 16 equals the side, where reflect
    # padding is impossible; (9, 9): the pad is one less than the side
    [(50, 37), (5, 3), (8, 8), (8, 40), (40, 8), (9, 9)],
)
def test_any_size_reflect_padding(size):
    torch.manual_seed(0)
    net = tiny().eval()
    h, w = size
    img = torch.rand(1, 3, h, w)
    mask = torch.zeros(1, 1, h, w)
    mask[..., : h // 2, : w // 2] = 1
    with torch.no_grad():
        out = net(img, mask)
    assert out.shape == (1, 3, h, w)
    assert out.min() > 0
    assert out.max() < 1
    ph, pw = -h % 16, -w % 16
    # reflect where possible, else replicate: compare with a manual pad/crop
    mode = 'reflect' if ph < h and pw < w else 'replicate'
    filled = img * (1 - mask) + mask
    fp = F.pad(filled, (0, pw, 0, ph), mode=mode)
    mp = F.pad(mask, (0, pw, 0, ph), mode=mode)
    with torch.no_grad():
        ref = net.forward_padded(torch.cat([fp, mp], 1), net.level_masks(mp))
    torch.testing.assert_close(out, ref[..., :h, :w], rtol=0, atol=0)


def test_hole_content_is_ignored_and_batch_independent():
    torch.manual_seed(0)
    net = tiny().double().eval()
    img = torch.rand(2, 3, 16, 16, dtype=torch.float64)
    mask = (torch.rand(2, 1, 16, 16) > 0.6).double()
    noisy = img + mask * torch.rand_like(img)
    with torch.no_grad():
        out = net(img, mask)
        torch.testing.assert_close(net(noisy, mask), out, rtol=0, atol=0)
        single = net(img[1:2], mask[1:2])
    torch.testing.assert_close(single, out[1:2], rtol=0, atol=1e-12)


def test_swapped_blocks_build_and_run():
    net = tiny(
        down=dict(type='PixelUnshuffleDownsample'),
        block=dict(type='SandwichBlock', attn=dict(type='ChannelAttention')),
        embed=dict(type='ConvEmbedding'),
    )
    assert net.stride == 8
    assert type(net.down1).__name__ == 'PixelUnshuffleDownsample'
    assert type(net.encoder1[0].attn).__name__ == 'ChannelAttention'
    img, mask = torch.rand(2, 3, 16, 24), torch.zeros(2, 1, 16, 24)
    mask[..., 4:12, 8:20] = 1
    out = net(img, mask)
    assert out.shape == (2, 3, 16, 24)
    out.mean().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_strided_down_and_attn_ffn_block():
    net = tiny(
        down=dict(type='StridedConvDownsample'),
        block=dict(type='AttnFFNBlock', attn=dict(type='ChannelAttention')),
    )
    assert net(torch.rand(1, 3, 8, 8), torch.zeros(1, 1, 8, 8)).shape == (1, 3, 8, 8)


@pytest.mark.parametrize(
    ('mask', 'match'),
    [
        (torch.full((1, 1, 16, 16), 0.5), 'binary'),
        (torch.zeros(1, 3, 16, 16), r'\(N, 1, H, W\)'),
        (torch.zeros(1, 1, 8, 16), 'does not match'),
        (torch.zeros(2, 1, 16, 16), 'does not match'),
    ],
)
def test_bad_masks_raise(mask, match):
    net = tiny()
    with pytest.raises(InvalidMaskError, match=match):
        net(torch.rand(1, 3, 16, 16), mask)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.gpu
def test_cuda_matches_cpu():
    torch.manual_seed(0)
    net = tiny().double().eval()
    img, mask = (
        torch.rand(2, 3, 32, 32).double(),
        (torch.rand(2, 1, 32, 32) > 0.5).double(),
    )
    with torch.no_grad():
        ref = net(img, mask)
        out = net.cuda()(img.cuda(), mask.cuda()).cpu()
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    ('key', 'value', 'named'),
    [
        ('dim', 'abc', 'dim'),
        ('dim', 0, 'dim'),
        ('dim', True, 'dim'),
        ('out_channels', 2.5, 'out_channels'),
        ('num_blocks', ['a', 1, 1, 1], 'num_blocks'),
        ('num_heads', 4, 'num_heads'),
    ],
)
def test_bad_sizes_in_the_config_are_named(key, value, named):
    """A typo'd value (--cfg-options model.generator.dim=abc) is one clear error."""
    from inpaintzoo.utils.errors import ConfigError

    cfg = dict(type='InpaintUNet', dim=8, num_blocks=[1, 1, 1, 1])
    cfg[key] = value
    with pytest.raises(ConfigError, match=named):
        MODELS.build(cfg)
