"""Registered converters: configs derived from configs/_base_/models, detection."""

import json
import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from inpaintzoo.models.converters import (
    CONVERTERS,
    convert_official_state_dict,
    get_official_converter,
    guess_arch,
    list_archs,
    official_kwargs_to_config,
)
from inpaintzoo.models.converters.base import set_config_path
from inpaintzoo.models.converters.mxt import MxTConverter
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from tests.conftest import REPO_ROOT

GENERATORS = ['hint', 'mxt', 'sem_net']
#: arch -> (base config file, model entry)
BASES = {
    'hint': ('hint.py', 'generator'),
    'mxt': ('mxt.py', 'generator'),
    'sem_net': ('sem_net.py', 'generator'),
    'discriminator': ('gan_inpaintor.py', 'discriminator'),
}


def _base(arch: str) -> dict:
    name, key = BASES[arch]
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/_base_/models' / name))
    return cfg.model[key].to_dict()


def _fixture(reference_dir: Path, arch: str) -> tuple[dict, dict]:
    kind = 'discriminator' if arch == 'discriminator' else 'generator'
    sd = torch.load(reference_dir / arch / f'{kind}_state_dict.pt', weights_only=True)
    config = json.loads((reference_dir / arch / 'config.json').read_text())
    return sd, config['constructor_kwargs']


def test_one_registered_class_per_arch() -> None:
    assert list_archs() == [
        'discriminator',
        'hint',
        'mxt',
        'nclg',
        'nclg_discriminator',
        'sem_net',
    ]
    for arch in list_archs():
        conv = get_official_converter(arch)
        assert isinstance(conv, CONVERTERS.get(arch))
        assert conv.arch == arch
        assert conv.keys.arch == arch
        assert conv is get_official_converter(arch)  # cached
    with pytest.raises(ConfigError, match=r"no official converter for arch 'x'.*hint"):
        get_official_converter('x')


@pytest.mark.parametrize('arch', list(BASES))
def test_official_defaults_give_the_base_config(arch: str) -> None:
    # the paper-size official model IS configs/_base_/models/<arch>.py
    kwargs, expected = {}, _base(arch)
    if arch == 'discriminator':  # the converter also spells out the spectral norm
        kwargs, expected = {'in_channels': 3}, dict(expected, use_spectral_norm=True)
    assert official_kwargs_to_config(arch, kwargs) == expected


@pytest.mark.parametrize('arch', [*GENERATORS, 'discriminator'])
def test_config_of_inferred_kwargs_is_the_base_config_resized(
    reference_dir: Path, arch: str
) -> None:
    sd, fixture_kwargs = _fixture(reference_dir, arch)
    conv = get_official_converter(arch)
    inferred = conv.infer_kwargs(sd)
    derived = conv.build_config(inferred)
    # the inferred kwargs describe the fixture's official constructor call
    assert derived == conv.build_config(fixture_kwargs)
    expected = _base(arch)
    if arch == 'discriminator':
        expected.update(use_spectral_norm=True)
    else:
        expected.update(
            in_channels=fixture_kwargs['inp_channels'] - 1,
            dim=fixture_kwargs['dim'],
            num_blocks=fixture_kwargs['num_blocks'],
            num_heads=fixture_kwargs['heads'],
        )
    assert derived == expected
    net = MODELS.build(derived)
    net.load_state_dict(convert_official_state_dict(arch, sd, net), strict=True)


def test_config_follows_the_base_config_file(tmp_path: Path) -> None:
    # the converter carries no architecture of its own: edit the file, get the edit
    src = (REPO_ROOT / 'configs/_base_/models/mxt.py').read_text()
    (tmp_path / 'gan_inpaintor.py').write_text(
        (REPO_ROOT / 'configs/_base_/models/gan_inpaintor.py').read_text()
    )
    edited = tmp_path / 'mxt_snake.py'
    edited.write_text(src.replace("dict(type='RasterScan')", "dict(type='SnakeScan')"))

    class EditedMxT(MxTConverter):
        base_config = str(edited)

    cfg = EditedMxT().build_config(dict(dim=4, bias=True))
    assert cfg['block']['mamba']['scanner'] == dict(type='SnakeScan')
    assert cfg['block']['bias'] is cfg['block']['attn']['bias'] is True
    assert cfg['dim'] == 4


def test_overrides_never_invent_modules() -> None:
    cfg = dict(type='InpaintUNet', block=dict(type='SEMBlock'))
    set_config_path(cfg, 'block.ffn_expansion', 2.0)
    assert cfg['block']['ffn_expansion'] == 2.0
    with pytest.raises(ConfigError, match=r"'block\.attn\.bias'.*'block\.attn'"):
        set_config_path(cfg, 'block.attn.bias', True)


def test_kwarg_inference_reads_bias_and_norm_type() -> None:
    conv = get_official_converter('hint')
    kwargs = dict(dim=8, num_blocks=[1, 2, 1, 1], heads=[1, 2, 2, 4])
    for bias, norm in [(True, 'BiasFree'), (False, 'WithBias')]:
        ours = MODELS.build(
            official_kwargs_to_config(
                'hint', dict(kwargs, bias=bias, LayerNorm_type=norm)
            )
        ).state_dict()
        official = {conv.keys.inverse_key(k): v for k, v in ours.items()}
        inferred = conv.infer_kwargs(official)
        assert (inferred['bias'], inferred['LayerNorm_type']) == (bias, norm)
        assert inferred['num_blocks'] == kwargs['num_blocks']


def test_detection_order_puts_specific_signatures_first(reference_dir: Path) -> None:
    mxt_sd, _ = _fixture(reference_dir, 'mxt')
    keys = list(mxt_sd)
    # MxT's dead keys contain HINT's signature: MxT must be tried first
    assert get_official_converter('hint').signature
    hint_sig = get_official_converter('hint').signature
    assert all(any(re.search(p, k) for k in keys) for p in hint_sig)
    assert guess_arch(keys) == 'mxt'
    assert guess_arch(['auto_attn.x', 'conv1.0.weight']) == 'nclg_discriminator'
    assert guess_arch(['conv1.0.weight']) == 'discriminator'
    assert guess_arch(['foo.bar']) is None
