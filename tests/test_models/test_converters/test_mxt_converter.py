"""MxT: official key conversion, dead keys, parameter counts, fixture equivalence."""

import json
from pathlib import Path

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

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope='module')
def mxt_dir(reference_dir: Path) -> Path:
    return reference_dir / 'mxt'


@pytest.fixture(scope='module')
def mxt_sd(mxt_dir: Path) -> dict:
    return torch.load(mxt_dir / 'generator_state_dict.pt', weights_only=True)


@pytest.fixture(scope='module')
def mxt_config(mxt_dir: Path) -> dict:
    return json.loads((mxt_dir / 'config.json').read_text())


@pytest.fixture(scope='module')
def full_size_net() -> torch.nn.Module:
    cfg = Config.fromfile(str(REPO / 'configs/_base_/models/mxt.py'))
    return MODELS.build(cfg.model.generator)


@pytest.mark.slow
def test_fixture_matches_official(mxt_dir: Path) -> None:
    checks = {
        c.name: c for c in check_fixture('mxt', mxt_dir, atol64=1e-8, atol32=1e-4)
    }
    assert set(checks) == {'output (float64)', 'output_float32', 'output_official_init'}
    assert all(c.passed for c in checks.values()), checks
    assert checks['output (float64)'].max_abs_diff < 1e-12


def test_full_size_used_parameter_count(full_size_net: torch.nn.Module) -> None:
    assert sum(p.numel() for p in full_size_net.parameters()) == 37_610_544
    per_stage = {
        n: sum(p.numel() for p in m.parameters())
        for n, m in full_size_net.named_children()
    }
    assert per_stage == dict(  # reference-models §3.7 (effective per stage)
        embed=3_456,
        encoder1=204_676,
        down1=10_368,
        encoder2=1_118_604,
        down2=41_472,
        encoder3=4_255_512,
        down3=165_888,
        latent=22_112_320,
        up3=2_654_208,
        reduce3=73_728,
        decoder3=4_255_512,
        up2=663_552,
        reduce2=18_432,
        decoder2=1_118_604,
        up1=165_888,
        decoder1=745_732,
        output=2_592,
    )


def test_full_size_keys_dead_exactly_as_documented(
    reference_dir: Path, full_size_net
) -> None:
    lines = (reference_dir / 'mxt' / 'full_size_keys.txt').read_text().splitlines()
    rows = [ln.split('\t') for ln in lines if ln and not ln.startswith('#')]
    conv = get_converter('mxt')
    dead = {r[0] for r in rows if r[4] == 'unused-in-forward'}
    used = {r[0]: int(r[2]) for r in rows if r[4] != 'unused-in-forward'}
    assert len(dead) == 2308
    assert sum(used.values()) == 37_610_544
    assert {k for k, *_ in rows if conv.is_dead(k)} == dead
    ours = full_size_net.state_dict()
    mapped = {conv.map_key(k): k for k in used}
    assert set(mapped) == set(ours)
    assert all(ours[m].numel() == used[k] for m, k in mapped.items())
    # and back: every one of our keys has its official name
    assert {conv.inverse_key(k) for k in ours} == set(used)


def test_converter_drops_and_lists_dead_keys(mxt_sd: dict, mxt_config: dict) -> None:
    model = MODELS.build(
        official_kwargs_to_config('mxt', mxt_config['constructor_kwargs'])
    )
    res = convert_official({'iteration': 3, 'generator': mxt_sd}, 'mxt', model)
    assert set(res.dropped) == set(mxt_config['unused_parameters_in_this_instance'])
    assert all('dead' in why for why in res.dropped.values())
    assert sum(v.numel() for v in res.state_dict.values()) == sum(
        p.numel() for p in model.parameters()
    )
    back = to_official(res.state_dict, 'mxt')
    assert set(back) == set(mxt_sd) - set(res.dropped)
    assert all(torch.equal(back[k], mxt_sd[k]) for k in back)


def test_arch_guess_and_wrong_arch(mxt_sd: dict, reference_dir: Path) -> None:
    assert guess_arch(list(mxt_sd)) == 'mxt'
    sem = torch.load(
        reference_dir / 'sem_net' / 'generator_state_dict.pt', weights_only=True
    )
    with pytest.raises(CheckpointMismatchError, match='sem_net'):
        convert_official(sem, 'mxt')


def test_config_builder_rejects_unknown_kwargs() -> None:
    with pytest.raises(ConfigError, match='unknown official MxT kwargs'):
        official_kwargs_to_config('mxt', dict(dim=4, window=8))
    cfg = official_kwargs_to_config('mxt', dict(dim=4, bias=True, heads=[1, 2, 2, 4]))
    net = MODELS.build(cfg)
    assert 'encoder1.0.fuse.bias' in net.state_dict()
    assert net.latent[0].attn.num_heads == 4
    assert net.decoder1[0].attn.num_heads == 1


@pytest.mark.slow
def test_any_size_and_batch_independence(
    mxt_sd: dict, mxt_config: dict, reference_dir: Path
) -> None:
    io = torch.load(reference_dir / 'mxt' / 'io.pt', weights_only=True)
    model = build_converted('mxt', mxt_config, mxt_sd).double().eval()
    img, mask = io['image'], io['mask']
    with torch.no_grad():
        # batch of 2 (second = mirrored sample): item 0 is still the official output
        out = model(torch.cat([img, img.flip(-1)]), torch.cat([mask, mask.flip(-1)]))
        assert (out[0] - io['output'][0]).abs().max() < 1e-12
        # sizes that are not multiples of 8: padded to 8, cropped back
        for h, w in [(61, 50), (20, 36)]:
            y = model(img[..., :h, :w], mask[..., :h, :w])
            assert y.shape == (1, 3, h, w)
            assert torch.isfinite(y).all()
            assert y.min() > 0
            assert y.max() < 1
        # a non-multiple size equals the padded network cropped back
        crop_i, crop_m = img[..., :60, :60], mask[..., :60, :60]
        # InpaintUNet fills holes, then reflect-pads image and mask to the stride
        filled = crop_i * (1 - crop_m) + crop_m
        x = torch.cat([filled, crop_m], 1)
        x = torch.nn.functional.pad(x, (0, 4, 0, 4), mode='reflect')
        ref = model.forward_padded(x, model.level_masks(x[:, 3:]))[..., :60, :60]
        torch.testing.assert_close(model(crop_i, crop_m), ref, rtol=0, atol=1e-13)
