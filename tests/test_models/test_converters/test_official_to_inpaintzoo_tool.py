import importlib.util
import json
from pathlib import Path

import pytest
import torch

from inpaintzoo.models.converters import official_kwargs_to_config
from inpaintzoo.registry import MODELS

TOOL = (
    Path(__file__).resolve().parents[3]
    / 'tools'
    / 'model_converters'
    / 'official_to_inpaintzoo.py'
)


def _tool():
    spec = importlib.util.spec_from_file_location('official_to_inpaintzoo', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_converts_official_files(tmp_path, reference_dir, capsys):
    gen = torch.load(
        reference_dir / 'hint' / 'generator_state_dict.pt', weights_only=True
    )
    dis = torch.load(
        reference_dir / 'discriminator' / 'discriminator_state_dict.pt',
        weights_only=True,
    )
    torch.save(
        {'iteration': 3, 'generator': {f'module.{k}': v for k, v in gen.items()}},
        tmp_path / 'g.pth',
    )
    torch.save({'discriminator': dis}, tmp_path / 'd.pth')
    out = tmp_path / 'out.pth'
    tool = _tool()
    assert (
        tool.main(
            [
                '--arch',
                'hint',
                str(tmp_path / 'g.pth'),
                str(out),
                '--dis',
                str(tmp_path / 'd.pth'),
            ]
        )
        == 0
    )
    assert 'dropped features.0.weight_orig' in capsys.readouterr().out
    ckpt = torch.load(out, weights_only=True)
    assert ckpt['meta']['iteration'] == 3
    sd = ckpt['state_dict']
    g = MODELS.build(
        dict(type='InpaintUNet', dim=8, num_blocks=[1, 1, 1, 1], num_heads=[2, 2, 4, 4])
    )
    g.load_state_dict(
        {k[10:]: v for k, v in sd.items() if k.startswith('generator.')}, strict=True
    )
    d = MODELS.build(dict(type='PatchDiscriminator'))
    d.load_state_dict(
        {k[14:]: v for k, v in sd.items() if k.startswith('discriminator.')},
        strict=True,
    )
    # a discriminator file given as the generator is refused
    assert (
        tool.main(['--arch', 'hint', str(tmp_path / 'd.pth'), str(tmp_path / 'x.pth')])
        == 2
    )
    assert 'discriminator' in capsys.readouterr().err


@pytest.mark.parametrize('arch', ['mxt', 'sem_net'])
def test_converts_state_space_models_and_lists_dead_keys(
    tmp_path, reference_dir, capsys, arch
):
    gen = torch.load(
        reference_dir / arch / 'generator_state_dict.pt', weights_only=True
    )
    config = json.loads((reference_dir / arch / 'config.json').read_text())
    torch.save({'iteration': 7, 'generator': gen}, tmp_path / 'g.pth')
    out = tmp_path / 'out.pth'
    assert _tool().main(['--arch', arch, str(tmp_path / 'g.pth'), str(out)]) == 0
    printed = capsys.readouterr().out
    ckpt = torch.load(out, weights_only=True)
    dropped = set(ckpt['meta']['dropped_keys'])
    assert dropped, 'the official MxT / SEM-Net carry dead keys'
    assert all(f'dropped {k}' in printed for k in dropped)
    kwargs = ckpt['meta']['official_kwargs']
    assert kwargs['dim'] == config['constructor_kwargs']['dim']
    assert kwargs['num_blocks'] == config['constructor_kwargs']['num_blocks']
    g = MODELS.build(official_kwargs_to_config(arch, kwargs))
    g.load_state_dict({k[10:]: v for k, v in ckpt['state_dict'].items()}, strict=True)
    # the other arch's checkpoint is refused
    other = 'sem_net' if arch == 'mxt' else 'mxt'
    assert (
        _tool().main(
            ['--arch', other, str(tmp_path / 'g.pth'), str(tmp_path / 'x.pth')]
        )
        == 2
    )
