import importlib.util
from pathlib import Path

import torch

from inpaintzoo.registry import MODELS

TOOL = (
    Path(__file__).resolve().parents[3]
    / 'tools'
    / 'model_converters'
    / 'hint_official.py'
)


def _tool():
    spec = importlib.util.spec_from_file_location('hint_official', TOOL)
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
        tool.main([str(tmp_path / 'g.pth'), str(out), '--dis', str(tmp_path / 'd.pth')])
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
    assert tool.main([str(tmp_path / 'd.pth'), str(tmp_path / 'x.pth')]) == 2
    assert 'discriminator' in capsys.readouterr().err
