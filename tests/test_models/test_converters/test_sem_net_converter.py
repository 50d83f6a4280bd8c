"""Official SEM-Net checkpoints: key converter, dead keys, fixture equivalence."""

import json

import pytest
import torch
from mmengine.config import Config

from inpaintzoo.models.converters import (
    convert_official,
    get_converter,
    guess_arch,
    official_kwargs_to_config,
    to_official,
)
from inpaintzoo.models.converters.equivalence import build_converted, check_fixture
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError
from tests.conftest import REPO_ROOT

# reference-models §4.5: parameters the official forward uses, per stage
STAGE_COUNTS = {
    'embed': 1_728,
    'encoder1': 446_976,
    'down1': 10_368,
    'encoder2': 2_515_968,
    'down2': 41_472,
    'encoder3': 9_732_096,
    'down3': 165_888,
    'latent': 51_019_776,
    'up3': 2_654_208,
    'reduce3': 73_728,
    'decoder3': 9_732_096,
    'up2': 663_552,
    'reduce2': 18_432,
    'decoder2': 2_515_968,
    'up1': 165_888,
    'decoder1': 1_677_312,
    'output': 2_592,
}


@pytest.fixture(scope='module')
def fixture_dir(reference_dir):
    return reference_dir / 'sem_net'


@pytest.fixture(scope='module')
def official(fixture_dir):
    config = json.loads((fixture_dir / 'config.json').read_text())
    sd = torch.load(fixture_dir / 'generator_state_dict.pt', weights_only=True)
    io = torch.load(fixture_dir / 'io.pt', weights_only=True)
    return config, sd, io


@pytest.fixture(scope='module')
def full_size_keys(fixture_dir):
    lines = (fixture_dir / 'full_size_keys.txt').read_text().splitlines()
    rows = [ln.split('\t') for ln in lines if ln and not ln.startswith('#')]
    return {r[0]: (int(r[2]), r[4] == 'unused-in-forward') for r in rows}


@pytest.fixture(scope='module')
def full_net():
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/_base_/models/sem_net.py'))
    return MODELS.build(cfg.model.generator)


@pytest.mark.slow
def test_fixture_matches_official_outputs(fixture_dir):
    checks = check_fixture('sem_net', fixture_dir, atol64=1e-8, atol32=1e-4)
    names = {c.name for c in checks}
    assert names == {'output (float64)', 'output_float32', 'output_official_init'}
    assert all(c.passed for c in checks), checks


def test_full_size_used_parameter_count(full_net):
    assert sum(p.numel() for p in full_net.parameters()) == 81_438_048
    for name, count in STAGE_COUNTS.items():
        got = sum(p.numel() for p in getattr(full_net, name).parameters())
        assert got == count, name
    assert full_net.stride == 16
    # 1x1 reductions after the level-3 and level-2 skips only
    assert full_net.decoder1[0].norm1.weight.numel() == 96


def test_full_size_keys_mapped_or_documented_dead(full_size_keys, full_net):
    conv = get_converter('sem_net')
    dead = {k for k in full_size_keys if conv.is_dead(k)}
    assert dead == {k for k, (_, unused) in full_size_keys.items() if unused}
    assert sum(full_size_keys[k][0] for k in dead) == 56_661_696
    mapped = {conv.map_key(k) for k in full_size_keys if k not in dead}
    assert None not in mapped
    assert mapped == set(full_net.state_dict())


def test_converter_lists_dropped_dead_keys_and_round_trips(official):
    config, sd, _ = official
    res = convert_official(sd, 'sem_net')
    assert set(res.dropped) == set(config['unused_parameters_in_this_instance'])
    assert all('dead' in why for why in res.dropped.values())
    assert (
        res.state_dict['encoder1.0.attn.mambas.1.A_log']
        is sd['encoder_level1.0.attn.mamba2.A_log']
    )
    assert (
        res.state_dict['decoder2.0.ffn.spatial.norm2.bias']
        is sd['decoder_level2.0.ffn.conv.4.body.bias']
    )
    back = to_official(res.state_dict, 'sem_net')
    assert set(back) == set(sd) - set(res.dropped)
    assert all(back[k] is sd[k] for k in back)


def test_guess_arch_and_wrong_arch_errors(official):
    _, sd, _ = official
    assert guess_arch(list(sd)) == 'sem_net'
    with pytest.raises(CheckpointMismatchError, match="looks like a 'sem_net'"):
        convert_official(sd, 'hint')
    net = MODELS.build(
        official_kwargs_to_config('sem_net', dict(dim=8, num_blocks=[1, 1, 1, 1]))
    )
    with pytest.raises(CheckpointMismatchError, match='shape mismatches'):
        convert_official(sd, 'sem_net', net)
    with pytest.raises(ConfigError, match='unknown official SEM-Net kwargs'):
        official_kwargs_to_config('sem_net', dict(width=4))


@pytest.mark.slow
def test_any_input_size_and_official_size(official):
    config, sd, io = official
    net = build_converted('sem_net', config, sd).double().eval()
    with torch.no_grad():
        out = net(io['image'], io['mask'])
        torch.testing.assert_close(out, io['output'], rtol=0, atol=1e-8)
        # 40x56 / 37x50 are not multiples of 16 (the official code fails there)
        for h, w in [(40, 56), (37, 50)]:
            img, mask = io['image'][..., :h, :w], io['mask'][..., :h, :w]
            small = net(img, mask)
            assert small.shape == (1, 3, h, w)
            assert small.min() > 0
            assert small.max() < 1
            # = the network on the reflect-padded 48x64 input, cropped back
            ph, pw = -h % 16, -w % 16
            fill = img * (1 - mask) + mask
            pad = [
                torch.nn.functional.pad(t, (0, pw, 0, ph), mode='reflect')
                for t in (fill, mask)
            ]
            ref = net.forward_padded(torch.cat(pad, 1), net.level_masks(pad[1]))
            torch.testing.assert_close(small, ref[..., :h, :w], rtol=0, atol=0)
