import importlib.util
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from inpaintzoo.apis import converted_config
from inpaintzoo.models.converters import checkpoint_files, official_kwargs_to_config
from inpaintzoo.models.converters.checkpoint_files import convert_official_files
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

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


def test_arch_lists_generators_only():
    tool = _tool()
    assert set(tool.ARCHS) == {'hint', 'mxt', 'nclg', 'sem_net'}
    with pytest.raises(SystemExit):
        tool.parse_args(['--arch', 'nclg_discriminator', 'g.pt', 'o.pth'])


def test_nclg_converts_its_own_discriminator_and_writes_its_config(
    tmp_path, reference_dir, capsys
):
    out = tmp_path / 'nclg.pth'
    args = ['--arch', 'nclg', str(reference_dir / 'nclg' / 'generator_state_dict.pt')]
    dis = reference_dir / 'nclg_discriminator' / 'discriminator_state_dict.pt'
    assert _tool().main([*args, str(out), '--dis', str(dis)]) == 0
    printed = capsys.readouterr().out
    config = tmp_path / 'nclg_config.py'
    assert f'matching config: {config}' in printed
    ckpt = torch.load(out, weights_only=True)
    assert ckpt['meta']['discriminator_arch'] == 'nclg_discriminator'
    sd = ckpt['state_dict']
    assert 'discriminator.attn.query.weight' in sd  # the short+long attention
    cfg = Config.fromfile(str(config))
    assert cfg.model.type == 'NCLGInpaintor'
    assert cfg.model.generator.residual_blocks == 1
    assert cfg.model.discriminator.attention.type == 'ShortLongAttention'
    disc = MODELS.build(cfg.model.discriminator)
    disc.load_state_dict(
        {k[14:]: v for k, v in sd.items() if k.startswith('discriminator.')},
        strict=True,
    )


@pytest.mark.parametrize(
    ('arch', 'dis', 'expected'),
    [
        ('nclg', 'discriminator', 'the PatchGAN discriminator of HINT'),
        ('hint', 'nclg_discriminator', 'the NCLG-MT discriminator'),
    ],
)
def test_discriminator_of_the_other_kind_is_refused_and_nothing_written(
    tmp_path, reference_dir, capsys, arch, dis, expected
):
    out = tmp_path / 'o.pth'
    gen = reference_dir / arch / 'generator_state_dict.pt'
    dis_file = reference_dir / dis / 'discriminator_state_dict.pt'
    assert (
        _tool().main(['--arch', arch, str(gen), str(out), '--dis', str(dis_file)]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: the discriminator file holds ')
    assert expected in err
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_discriminator_given_as_generator_points_to_dis(
    tmp_path, reference_dir, capsys
):
    dis = reference_dir / 'nclg_discriminator' / 'discriminator_state_dict.pt'
    assert _tool().main(['--arch', 'nclg', str(dis), str(tmp_path / 'o.pth')]) == 2
    assert 'give it as the discriminator file (--dis)' in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_library_refuses_a_discriminator_arch(reference_dir):
    gen = reference_dir / 'nclg' / 'generator_state_dict.pt'
    with pytest.raises(
        ConfigError, match="'nclg_discriminator' converts a discriminator"
    ):
        convert_official_files('nclg_discriminator', str(gen))


def test_missing_output_folder_is_one_line_before_converting(
    tmp_path, reference_dir, capsys, monkeypatch
):
    tool = _tool()
    called = []
    monkeypatch.setattr(
        checkpoint_files, 'convert_official_files', lambda *a: called.append(a)
    )
    gen = reference_dir / 'hint' / 'generator_state_dict.pt'
    out = tmp_path / 'missing' / 'o.pth'
    assert tool.main(['--arch', 'hint', str(gen), str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f'error: output folder {out.parent} does not exist; create it first\n'
    assert called == []
    assert tool.main(['--arch', 'hint', str(gen), str(tmp_path)]) == 2
    assert 'is a folder' in capsys.readouterr().err


def test_failed_config_write_leaves_no_checkpoint(tmp_path, reference_dir, monkeypatch):
    tool = _tool()
    out = tmp_path / 'o.pth'

    def broken(path, text):
        raise OSError('disk full')

    monkeypatch.setattr(Path, 'write_text', broken)
    gen = reference_dir / 'hint' / 'generator_state_dict.pt'
    assert tool.main(['--arch', 'hint', str(gen), str(out)]) == 2
    assert list(tmp_path.iterdir()) == []


def test_zero_width_embedding_is_a_clear_refusal(tmp_path, reference_dir, capsys):
    sd = torch.load(
        reference_dir / 'hint' / 'generator_state_dict.pt', weights_only=True
    )
    sd['patch_embed.gproj1.weight'] = sd['patch_embed.gproj1.weight'][:1]
    torch.save(sd, tmp_path / 'cut.pt')
    out = tmp_path / 'o.pth'
    assert _tool().main(['--arch', 'hint', str(tmp_path / 'cut.pt'), str(out)]) == 2
    err = capsys.readouterr().err
    assert 'would be 0; the file is cut or damaged' in err
    assert not out.exists()


def test_already_converted_checkpoint_is_named(tmp_path, reference_dir, capsys):
    gen = reference_dir / 'hint' / 'generator_state_dict.pt'
    first = tmp_path / 'first.pth'
    assert _tool().main(['--arch', 'hint', str(gen), str(first), '--no-config']) == 0
    capsys.readouterr()
    assert (
        _tool().main(['--arch', 'hint', str(first), str(tmp_path / 'again.pth')]) == 2
    )
    err = capsys.readouterr().err
    assert 'already an inpaintzoo checkpoint' in err
    assert 'nothing to convert' in err


def test_arch_without_paper_config_skips_it_with_a_note(
    tmp_path, reference_dir, capsys, monkeypatch
):
    tool = _tool()
    monkeypatch.setattr(converted_config, 'has_matching_config', lambda arch: False)
    gen = reference_dir / 'hint' / 'generator_state_dict.pt'
    assert tool.main(['--arch', 'hint', str(gen), str(tmp_path / 'o.pth')]) == 0
    assert "note: no paper config for 'hint'" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ['o.pth']
