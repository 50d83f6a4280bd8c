import pytest
import torch

from inpaintzoo.models.converters import convert_official, official_kwargs_to_config
from inpaintzoo.registry import MODELS
from tests.reference_fixture import (
    check_float64_and_float32,
    check_train_mode_first_call,
    load_reference,
)


def test_structure_and_init():
    torch.manual_seed(0)
    disc = MODELS.build(dict(type='PatchDiscriminator'))
    assert sum(p.numel() for p in disc.parameters()) == 2_763_776
    keys = list(disc.state_dict())
    assert keys[:3] == ['conv1.weight_orig', 'conv1.weight_u', 'conv1.weight_v']
    assert all(c.bias is None for c in disc.convs)
    w = disc.conv4.weight_orig
    assert abs(w.mean().item()) < 1e-3
    assert w.std().item() == pytest.approx(0.02, rel=0.02)
    with torch.no_grad():
        disc.conv4.weight_orig.fill_(1.0)
    disc.init_weights()
    assert disc.conv4.weight_orig.std().item() == pytest.approx(0.02, rel=0.02)


def test_shapes_features_and_sigmoid():
    disc = MODELS.build(dict(type='PatchDiscriminator', base_channels=8)).eval()
    x = torch.rand(3, 3, 64, 48)
    out, feats = disc(x, return_features=True)
    assert out.shape == (3, 1, 6, 4)
    assert [f.shape[1] for f in feats] == [8, 16, 32, 64, 1]
    torch.testing.assert_close(out, torch.sigmoid(feats[-1]))
    raw = MODELS.build(
        dict(type='PatchDiscriminator', base_channels=8, use_sigmoid=False)
    )
    raw.load_state_dict(disc.state_dict())
    torch.testing.assert_close(raw.eval()(x), feats[-1])


def test_without_spectral_norm_has_bias():
    disc = MODELS.build(dict(type='PatchDiscriminator', use_spectral_norm=False))
    assert 'conv1.bias' in disc.state_dict()
    assert 'conv1.weight_u' not in disc.state_dict()
    assert torch.count_nonzero(disc.conv1.bias) == 0


def test_train_mode_updates_u_v():
    disc = MODELS.build(dict(type='PatchDiscriminator', base_channels=4))
    u0 = disc.conv2.weight_u.clone()
    disc.eval()(torch.rand(1, 3, 32, 32))
    torch.testing.assert_close(disc.conv2.weight_u, u0, rtol=0, atol=0)
    disc.train()(torch.rand(1, 3, 32, 32))
    assert not torch.equal(disc.conv2.weight_u, u0)


@pytest.fixture(scope='module')
def disc_fixture(reference_dir):
    cfg, sd, io = load_reference(
        reference_dir, 'discriminator', 'discriminator_state_dict.pt'
    )
    net = MODELS.build(
        official_kwargs_to_config('discriminator', cfg['constructor_kwargs'])
    )
    net.load_state_dict(
        convert_official(sd, 'discriminator', net).state_dict, strict=True
    )
    return io, net


def test_fixture_eval_float64_and_float32(disc_fixture):
    io, net = disc_fixture
    out = check_float64_and_float32(net, io)
    torch.testing.assert_close(out, io['output_official_init'], rtol=0, atol=1e-8)


def test_fixture_train_mode_first_call(disc_fixture):
    io, net = disc_fixture
    ours = check_train_mode_first_call(net, io)
    for key, ref in io['spectral_norm_buffers_after_train_call'].items():
        name = key.replace('features.0', 'conv1.0').replace('.0.', '.')
        torch.testing.assert_close(ours[name], ref, rtol=0, atol=1e-8)
