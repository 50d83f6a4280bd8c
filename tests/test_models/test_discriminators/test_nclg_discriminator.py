"""NCLG-MT discriminator: PatchGAN + short/long attention after conv2 (§5.5)."""

import pytest
import torch

from inpaintzoo.models.converters import (
    convert_official,
    get_converter,
    guess_arch,
    infer_official_kwargs,
    official_kwargs_to_config,
)
from inpaintzoo.models.converters.equivalence import check_fixture
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from tests.reference_fixture import (
    check_float64_and_float32,
    check_train_mode_first_call,
    load_reference,
)

NCLG_D = dict(
    type='PatchDiscriminator',
    attention=dict(type='ShortLongAttention', with_skip=False),
)


def test_structure_count_and_init() -> None:
    torch.manual_seed(0)
    disc = MODELS.build(NCLG_D)
    # §5.5: 2,767,905 effective parameters (alpha and the fusion block not built)
    assert sum(p.numel() for p in disc.parameters()) == 2_767_905
    assert not hasattr(disc.attn, 'fuse')
    assert not hasattr(disc.attn, 'alpha')
    assert disc.attn.query.weight.shape == (32, 128, 1, 1)
    assert disc.attn.query.weight.std().item() == pytest.approx(0.02, rel=0.1)
    assert torch.count_nonzero(disc.attn.query.bias) == 0
    assert disc.attn.gamma.item() == 0.0


def test_attention_runs_after_conv2_and_is_in_the_features() -> None:
    torch.manual_seed(0)
    disc = MODELS.build(dict(NCLG_D, base_channels=8)).eval()
    with torch.no_grad():
        disc.attn.gamma.fill_(0.7)
    x = torch.rand(2, 3, 32, 32)
    out, feats = disc(x, return_features=True)
    plain = MODELS.build(dict(type='PatchDiscriminator', base_channels=8)).eval()
    plain.load_state_dict(
        {k: v for k, v in disc.state_dict().items() if not k.startswith('attn.')}
    )
    _, plain_feats = plain(x, return_features=True)
    torch.testing.assert_close(feats[0], plain_feats[0])
    torch.testing.assert_close(feats[1], disc.attn(plain_feats[1]))
    assert not torch.allclose(feats[1], plain_feats[1])
    torch.testing.assert_close(out, torch.sigmoid(feats[-1]))


def test_attention_slot_checks() -> None:
    with pytest.raises(ValueError, match=r'attention_after must be 1\.\.4'):
        MODELS.build(dict(NCLG_D, attention_after=5))
    attn = MODELS.build(dict(type='ShortLongAttention', channels=8, with_skip=False))
    with pytest.raises(ValueError, match='without `pre`'):
        attn(torch.rand(1, 8, 4, 4), torch.rand(1, 8, 4, 4), torch.ones(1, 1, 4, 4))


@pytest.fixture(scope='module')
def fixture_data(reference_dir):
    d = reference_dir / 'nclg_discriminator'
    cfg, sd, io = load_reference(
        reference_dir, 'nclg_discriminator', 'discriminator_state_dict.pt'
    )
    return d, cfg, sd, io


@pytest.fixture(scope='module')
def converted(fixture_data):
    _, cfg, sd, _ = fixture_data
    net = MODELS.build(
        official_kwargs_to_config('nclg_discriminator', cfg['constructor_kwargs'])
    )
    result = convert_official(sd, 'nclg_discriminator', net)
    net.load_state_dict(result.state_dict, strict=True)
    return net, result


def test_converter_drops_dead_and_alias_keys_with_reasons(fixture_data, converted):
    _, _, sd, _ = fixture_data
    _, result = converted
    dropped = result.dropped
    assert dropped['auto_attn.alpha'].startswith('documented dead key')
    assert dropped['auto_attn.model.conv1.weight_orig'].startswith('documented dead')
    assert dropped['auto_attn.model.model.1.bias'].startswith('documented dead')
    assert dropped['features.0.weight_orig'] == 'alias of conv1.0.weight_orig'
    assert set(dropped) == {
        k for k in sd if k.startswith(('auto_attn.model.', 'features.'))
    } | {'auto_attn.alpha'}
    assert guess_arch(list(sd)) == 'nclg_discriminator'
    assert infer_official_kwargs('nclg_discriminator', sd)['in_channels'] == 3
    with pytest.raises(ConfigError, match="arch 'discriminator'"):
        infer_official_kwargs(
            'nclg_discriminator',
            {k: v for k, v in sd.items() if not k.startswith('auto_attn')},
        )


def test_official_defaults_give_the_nclg_base_config() -> None:
    cfg = official_kwargs_to_config('nclg_discriminator', {'in_channels': 3})
    assert cfg['attention'] == dict(type='ShortLongAttention', with_skip=False)
    assert cfg['attention_after'] == 2
    assert cfg['use_spectral_norm'] is True


def test_fixture_eval_float64_float32_and_features(fixture_data, converted):
    _, _, _, io = fixture_data
    net, _ = converted
    check_float64_and_float32(net, io)


def test_fixture_train_mode_first_call_and_spectral_norm_buffers(
    fixture_data, converted
):
    _, _, _, io = fixture_data
    net, _ = converted
    ours = check_train_mode_first_call(net, io)
    conv = get_converter('nclg_discriminator')
    checked = 0
    for key, ref in io['spectral_norm_buffers_after_train_call'].items():
        if conv.is_dead(key) or conv.alias_target(key) is not None:
            continue  # the dead fusion block is never called upstream either
        torch.testing.assert_close(ours[conv.map_key(key)], ref, rtol=0, atol=1e-8)
        checked += 1
    assert checked == 10  # conv1..conv5 u and v


def test_equivalence_tool_passes_both_discriminator_fixtures(reference_dir):
    for arch in ('nclg_discriminator', 'discriminator'):
        checks = check_fixture(arch, reference_dir / arch)
        assert checks
        assert all(c.passed for c in checks), [
            (c.name, c.max_abs_diff) for c in checks if not c.passed
        ]
        assert any('after train call' in c.name for c in checks)
