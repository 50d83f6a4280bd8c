"""Official NCLG-MT generator -> NCLGGenerator: keys, aliases, dead keys, fixtures."""

import json
from pathlib import Path

import pytest
import torch

from inpaintzoo.models.converters import (
    convert_official,
    official_kwargs_to_config,
    to_official,
)
from inpaintzoo.models.converters.base import get_official_converter
from inpaintzoo.models.layers import rasterize_landmarks
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError


@pytest.fixture(scope='module')
def nclg_arch() -> str:
    """The registered arch name of the NCLG-MT converter."""
    return 'nclg'


@pytest.fixture(scope='module')
def fixture(reference_dir: Path) -> tuple[dict, dict, dict]:
    root = reference_dir / 'nclg'
    config = json.loads((root / 'config.json').read_text())
    sd = torch.load(root / 'generator_state_dict.pt', weights_only=True)
    io = torch.load(root / 'io.pt', weights_only=True)
    return config, sd, io


def _build(arch: str, config: dict, sd: dict) -> torch.nn.Module:
    model = MODELS.build(official_kwargs_to_config(arch, config['constructor_kwargs']))
    model.load_state_dict(convert_official(sd, arch, model).state_dict, strict=True)
    return model.eval()


def test_keys_round_trip_with_aliases_and_dead_keys(nclg_arch, fixture) -> None:
    config, sd, _ = fixture
    conv = get_official_converter(nclg_arch)
    assert conv.infer_kwargs(sd) == config['constructor_kwargs'] | {
        'init_weights': True
    }
    model = MODELS.build(conv.build_config(conv.infer_kwargs(sd)))
    result = convert_official(sd, nclg_arch, model)
    dead = {k for k, why in result.dropped.items() if why.startswith('documented')}
    assert dead == {'before_share1.0.weight', 'before_share1.0.bias'}
    assert len(result.dropped) == 2 + 12  # 12 alias keys of auto_attn.model
    back = to_official(result.state_dict, nclg_arch)
    assert set(back) == set(sd) - dead
    for key, value in back.items():
        assert torch.equal(value, sd[key]), key


def test_paper_size_config_and_official_key_set(nclg_arch, shared_dir: Path) -> None:
    model = MODELS.build(official_kwargs_to_config(nclg_arch, {}))
    lines = (shared_dir / 'reference/nclg/full_size_keys.txt').read_text()
    official = [ln.split('\t')[0] for ln in lines.splitlines() if ln[:1] != '#']
    back = to_official(model.state_dict(), nclg_arch)
    assert set(back) | {'before_share1.0.weight', 'before_share1.0.bias'} == set(
        official
    )


def test_unequal_alias_is_refused(nclg_arch, fixture) -> None:
    _, sd, _ = fixture
    bad = dict(sd)
    bad['auto_attn.model.model.1.bias'] = sd['auto_attn.model.conv1.bias'] + 1
    with pytest.raises(CheckpointMismatchError, match=r'model\.model\.1\.bias'):
        convert_official(bad, nclg_arch)


def test_landmark_map_points_match_the_fixture(fixture) -> None:
    _, _, io = fixture
    for key, suffix in [('landmark', ''), ('landmark_float32', '_float32')]:
        cells = rasterize_landmarks(io[key], 128)[0]
        assert all(torch.equal(cells[c], cells[0]) for c in range(68))
        got = {tuple(rc) for rc in cells[0].nonzero().tolist()}
        ref = io[f'landmark_map_points{suffix}'][0].tolist()
        assert got == {tuple(rc) for rc in ref}


@pytest.mark.slow  # three 256^2 forwards with a 4096^2 attention (~20 s each, f64)
def test_outputs_equal_the_official_fixture(nclg_arch, fixture) -> None:
    config, sd, io = fixture
    model = _build(nclg_arch, config, sd)
    with torch.no_grad():
        image, landmarks = model.double()(io['image'], io['mask'])
        assert (image - io['output']).abs().max() < 1e-12
        assert (landmarks - io['landmark']).abs().max() < 1e-12
        image, landmarks = model.float()(io['image'].float(), io['mask'].float())
        assert (image - io['output_float32']).abs().max() < 1e-4
        assert (landmarks - io['landmark_float32']).abs().max() < 1e-4
        init_sd = dict(sd)
        for key, info in config['perturbed_constant_tensors'].items():
            for name in [key, *info['aliases']]:
                init_sd[name] = torch.full_like(sd[name], info['official_init_value'])
        model = _build(nclg_arch, config, init_sd).double()
        image, landmarks = model(io['image'], io['mask'])
        assert (image - io['output_official_init']).abs().max() < 1e-12
        assert (landmarks - io['landmark_official_init']).abs().max() < 1e-12
