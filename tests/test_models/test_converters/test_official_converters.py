import re

import pytest
import torch

from inpaintzoo.models.converters import (
    convert_official,
    get_converter,
    guess_arch,
    infer_official_kwargs,
    official_kwargs_to_config,
    to_official,
    unwrap_checkpoint,
)
from inpaintzoo.models.converters.key_mapping import compile_template
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

TINY_HINT = dict(dim=8, num_blocks=[1, 2, 1, 1], heads=[1, 2, 2, 4])


def _load(reference_dir, arch, kind='generator'):
    return torch.load(reference_dir / arch / f'{kind}_state_dict.pt', weights_only=True)


@pytest.fixture(scope='module')
def hint_sd(reference_dir):
    return _load(reference_dir, 'hint')


@pytest.fixture(scope='module')
def disc_sd(reference_dir):
    return _load(reference_dir, 'discriminator', 'discriminator')


def test_hint_round_trip_official(hint_sd):
    res = convert_official(hint_sd, 'hint')
    assert res.dropped == {}
    back = to_official(res.state_dict, 'hint')
    assert list(back) == list(hint_sd)
    assert all(back[k] is hint_sd[k] for k in hint_sd)


@pytest.mark.parametrize('bias', [False, True])
def test_hint_round_trip_ours(bias):
    net = MODELS.build(official_kwargs_to_config('hint', dict(TINY_HINT, bias=bias)))
    assert ('output.bias' in net.state_dict()) is bias
    ours = net.state_dict()
    official = to_official(ours, 'hint')
    assert 'encoder_level2.1.attn.conv.4.body.bias' in official
    assert 'decoder_level1.0.norm1_1.body.weight' in official
    again = convert_official(official, 'hint', net).state_dict
    assert list(again) == list(ours)


def test_every_full_size_key_is_mapped(reference_dir):
    lines = (reference_dir / 'hint' / 'full_size_keys.txt').read_text().splitlines()
    keys = [ln.split('\t')[0] for ln in lines if ln and not ln.startswith('#')]
    conv = get_converter('hint')
    net = MODELS.build(official_kwargs_to_config('hint', {}))
    ours = {conv.map_key(k) for k in keys}
    assert None not in ours
    assert ours == set(net.state_dict())


def test_checkpoint_wrappers_and_module_prefix(hint_sd, disc_sd):
    wrapped = {
        'iteration': 7,
        'generator': {f'module.{k}': v for k, v in hint_sd.items()},
    }
    assert list(unwrap_checkpoint(wrapped, 'hint')) == list(hint_sd)
    res = convert_official({'discriminator': disc_sd}, 'discriminator')
    assert set(res.dropped) == {f'features.0.weight_{s}' for s in ('orig', 'u', 'v')}
    assert set(res.state_dict) == {
        f'conv{i}.weight_{s}' for i in range(1, 6) for s in ('orig', 'u', 'v')
    }


def test_discriminator_round_trip_restores_alias(disc_sd):
    back = to_official(
        convert_official(disc_sd, 'discriminator').state_dict, 'discriminator'
    )
    assert set(back) == set(disc_sd)
    assert all(torch.equal(back[k], disc_sd[k]) for k in disc_sd)


def test_alias_must_equal_canonical(disc_sd):
    bad = dict(disc_sd)
    bad['features.0.weight_orig'] = bad['conv1.0.weight_orig'] + 1
    with pytest.raises(CheckpointMismatchError, match=r'features\.0\.weight_orig'):
        convert_official(bad, 'discriminator')


def test_parametrizations_spectral_norm_names(disc_sd):
    conv = torch.nn.utils.parametrizations.spectral_norm(
        torch.nn.Conv2d(3, 4, 4, bias=False)
    )
    names = set(conv.state_dict())
    assert names == {
        'parametrizations.weight.original',
        'parametrizations.weight.0._u',
        'parametrizations.weight.0._v',
    }
    new = {}
    for k, v in disc_sd.items():
        base, kind = k.rsplit('.', 1)
        new[
            f'{base}.'
            + {
                'weight_orig': 'parametrizations.weight.original',
                'weight_u': 'parametrizations.weight.0._u',
                'weight_v': 'parametrizations.weight.0._v',
            }[kind]
        ] = v
    net = MODELS.build(dict(type='PatchDiscriminator'))
    res = convert_official(new, 'discriminator', net)
    ref = convert_official(disc_sd, 'discriminator').state_dict
    assert all(torch.equal(res.state_dict[k], ref[k]) for k in ref)


@pytest.mark.parametrize('arch', ['mxt', 'sem_net', 'nclg'])
def test_hint_rejects_other_generators(reference_dir, arch):
    sd = _load(reference_dir, arch)
    assert guess_arch(list(sd)) == arch
    with pytest.raises(
        CheckpointMismatchError, match=f"looks like a '{arch}' checkpoint"
    ):
        convert_official(sd, 'hint')


def test_discriminator_as_generator_rejected(disc_sd, hint_sd, reference_dir):
    with pytest.raises(CheckpointMismatchError, match="'discriminator' checkpoint"):
        convert_official(disc_sd, 'hint')
    with pytest.raises(CheckpointMismatchError, match='holds'):
        convert_official({'discriminator': disc_sd}, 'hint')
    with pytest.raises(CheckpointMismatchError, match="'hint' checkpoint"):
        convert_official(hint_sd, 'discriminator')
    nclg_d = _load(reference_dir, 'nclg_discriminator', 'discriminator')
    with pytest.raises(CheckpointMismatchError, match="'nclg_discriminator'"):
        convert_official(nclg_d, 'discriminator')


def test_missing_unexpected_and_shape_errors(hint_sd):
    net = MODELS.build(
        official_kwargs_to_config(
            'hint', dict(dim=8, num_blocks=[1, 1, 1, 1], heads=[2, 2, 4, 4])
        )
    )
    missing = {k: v for k, v in hint_sd.items() if k != 'output.0.weight'}
    with pytest.raises(CheckpointMismatchError, match=r'missing keys: output\.weight'):
        convert_official(missing, 'hint', net)
    extra = dict(hint_sd, **{'encoder_level1.0.bogus.weight': torch.zeros(1)})
    with pytest.raises(
        CheckpointMismatchError, match=r'encoder_level1\.0\.bogus\.weight'
    ):
        convert_official(extra, 'hint', net)
    wider = MODELS.build(
        official_kwargs_to_config(
            'hint', dict(dim=16, num_blocks=[1, 1, 1, 1], heads=[2, 2, 4, 4])
        )
    )
    with pytest.raises(
        CheckpointMismatchError, match=r'shape mismatches: embed\.proj\.weight'
    ):
        convert_official(hint_sd, 'hint', wider)
    deeper = MODELS.build(
        official_kwargs_to_config(
            'hint', dict(dim=8, num_blocks=[2, 1, 1, 1], heads=[2, 2, 4, 4])
        )
    )
    with pytest.raises(CheckpointMismatchError, match=r'missing keys: encoder1\.1\.'):
        convert_official(hint_sd, 'hint', deeper)


@pytest.mark.parametrize(
    ('key', 'renamed'),
    [
        ('output.0.weight', 'output.0.weight_old'),
        ('output.0.weight', 'output.0.weightx'),
    ],
)
def test_key_with_an_extra_suffix_is_unexpected(hint_sd, key, renamed):
    # a rule's template is only a prefix of the renamed key: it must not match
    bad = {(renamed if k == key else k): v for k, v in hint_sd.items()}
    with pytest.raises(CheckpointMismatchError, match=re.escape(renamed)):
        convert_official(bad, 'hint')


def test_key_templates_match_whole_keys_only():
    template = compile_template('down{i}.proj.{p}')
    assert template.match('down2.proj.bias')['i'] == '2'
    for key in ('down2.proj.weight_old', 'down2.proj.bias.x', 'xdown2.proj.bias'):
        assert template.match(key) is None, key


def test_config_builder(reference_dir, hint_sd):
    cfg = official_kwargs_to_config('hint', {'LayerNorm_type': 'BiasFree', 'dim': 8})
    assert cfg['block']['norm'] == dict(type='ChannelLayerNorm', bias=False)
    assert cfg['in_channels'] == 3
    assert cfg['num_heads'] == [1, 2, 4, 8]
    with pytest.raises(ConfigError, match='unknown official HINT kwargs'):
        official_kwargs_to_config('hint', {'dims': 8})
    with pytest.raises(ConfigError, match="no official converter for arch 'foo'"):
        official_kwargs_to_config('foo', {})
    inferred = infer_official_kwargs('hint', hint_sd)
    assert inferred == dict(
        inp_channels=4,
        out_channels=3,
        dim=8,
        num_blocks=[1, 1, 1, 1],
        heads=[2, 2, 4, 4],
        ffn_expansion_factor=2.66,
        bias=False,
        LayerNorm_type='WithBias',
    )
