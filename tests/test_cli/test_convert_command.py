"""`inpaintzoo convert`: official checkpoints -> inpaintzoo, without the tools/ script.

The official files are made here from a tiny HINT of random weights
(``to_official``), so the tests need no shared fixtures.
"""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.cli import cmd_convert
from inpaintzoo.cli.main import cli_main, main
from inpaintzoo.models.converters import generator_archs, to_official
from inpaintzoo.models.converters.checkpoint_files import convert_official_files
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError
from tests.tiny_config import REPO, shrink_generator

TOOL = REPO / 'tools' / 'model_converters' / 'official_to_inpaintzoo.py'
#: where a pickled object of a planted file would leave its mark if unpickled
MARK = 'UNPICKLED'


def _leave_mark(path: str) -> None:
    Path(path).write_text('code ran')


class Planted:
    """An object whose unpickling writes a file (what weights-only must refuse)."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return _leave_mark, (self.path,)


@pytest.fixture(scope='module')
def tiny_hint() -> torch.nn.Module:
    """The tiny HINT demo model (dim 4) with random weights, seed 0."""
    cfg = shrink_generator(
        Config.fromfile(str(REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'))
    )
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


@pytest.fixture
def official(tmp_path, tiny_hint) -> tuple[Path, Path]:
    """``InpaintingModel_gen.pth`` (DataParallel keys) and ``_dis.pth``."""
    gen = to_official(tiny_hint.generator.state_dict(), 'hint')
    dis = to_official(tiny_hint.discriminator.state_dict(), 'discriminator')
    folder = tmp_path / 'official'
    folder.mkdir()
    torch.save(
        {'iteration': 5, 'generator': {f'module.{k}': v for k, v in gen.items()}},
        folder / 'InpaintingModel_gen.pth',
    )
    torch.save({'discriminator': dis}, folder / 'InpaintingModel_dis.pth')
    return folder / 'InpaintingModel_gen.pth', folder / 'InpaintingModel_dis.pth'


def _exit_code(argv: list[str]) -> int:
    """Run the console script's ``main`` (one-line errors); its exit status."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code


def test_arch_choices_are_the_generator_converters():
    assert tuple(generator_archs()) == cmd_convert.ARCHS


def test_help_lists_convert_and_its_options(capsys):
    with pytest.raises(SystemExit):
        cli_main(['--help'])
    assert 'convert' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli_main(['convert', '--help'])
    text = ' '.join(capsys.readouterr().out.split())
    assert '--arch {hint,mxt,nclg,sem_net}' in text
    assert '--dis FILE' in text
    assert 'no code in them runs' in text


def test_official_file_is_refused_then_converted_then_inpaints(
    tmp_path, official, tiny_hint, capsys, monkeypatch
):
    """The whole story a pip user follows: the error names the command that works."""
    gen, dis = official
    monkeypatch.chdir(tmp_path)  # not the repository: paths as a user sees them
    img = np.random.default_rng(0).integers(0, 256, (24, 40, 3), dtype=np.uint8)
    mask = np.zeros((24, 40), np.uint8)
    mask[6:14, 10:25] = 255
    Image.fromarray(img).save('x.png')
    Image.fromarray(mask).save('m.png')
    config = REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'
    argv = ['inpaint', '--model', str(config), 'x.png', '--mask', 'm.png',
            '--no-keep-freed-memory']  # fmt: skip
    assert _exit_code([*argv, '--checkpoint', str(gen), '--out', 'res/']) == 2
    err = capsys.readouterr().err
    assert f'`inpaintzoo convert --arch ARCH {gen} OUT.pth`' in err
    assert 'tools/' not in err
    assert _exit_code([*argv, '--checkpoint', str(dis), '--out', 'res/']) == 2
    assert f'OUT.pth --dis {dis}`' in capsys.readouterr().err

    out = Path('hint_official.pth')
    assert (
        cli_main(['convert', '--arch', 'hint', str(gen), str(out), '--dis', str(dis)])
        == 0
    )
    printed = capsys.readouterr().out
    ckpt = torch.load(out, weights_only=True)
    assert ckpt['meta']['iteration'] == 5
    assert ckpt['meta']['discriminator_arch'] == 'discriminator'
    state = ckpt['state_dict']
    for prefix, net in (('generator.', tiny_hint.generator),
                        ('discriminator.', tiny_hint.discriminator)):  # fmt: skip
        ours = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
        expected = net.state_dict()
        assert set(ours) == set(expected)
        assert all(torch.equal(ours[k], expected[k]) for k in expected)
    assert sorted(p.name for p in Path().iterdir()) == [
        'hint_official.pth',
        'hint_official_config.py',
        'm.png',
        'official',
        'x.png',
    ]  # no .partial file is left
    assert 'matching config: hint_official_config.py' in printed
    assert (
        f'test: python {REPO / "tools" / "test.py"} hint_official_config.py' in printed
    )
    line = next(ln for ln in printed.splitlines() if 'inpaint: ' in ln)
    command = line.split('inpaint: inpaintzoo ', 1)[1]
    command = command.replace(
        'IMAGE --mask MASK --out DIR', 'x.png --mask m.png --out res/'
    )
    assert cli_main(command.split()) == 0  # the printed command, as printed
    result = np.asarray(Image.open('res/x.png'))
    assert np.array_equal(result[mask == 0], img[mask == 0])


def test_tool_script_runs_the_same_conversion(tmp_path, official, capsys):
    spec = importlib.util.spec_from_file_location('official_to_inpaintzoo', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    gen, _ = official
    a, b = tmp_path / 'a.pth', tmp_path / 'b.pth'
    assert tool.main(['--arch', 'hint', str(gen), str(a), '--no-config']) == 0
    assert cli_main(['convert', '--arch', 'hint', str(gen), str(b), '--no-config']) == 0
    capsys.readouterr()
    sa = torch.load(a, weights_only=True)['state_dict']
    sb = torch.load(b, weights_only=True)['state_dict']
    assert list(sa) == list(sb)
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.pth', 'b.pth', 'official']


def test_file_that_would_run_code_is_refused_unopened(tmp_path, official, capsys):
    """Weights-only loading: the planted object is named, never unpickled."""
    gen, _ = official
    raw = torch.load(gen, weights_only=True)
    raw['planted'] = Planted(tmp_path / MARK)
    bad = tmp_path / 'bad_gen.pth'
    torch.save(raw, bad)
    out = tmp_path / 'out.pth'
    assert _exit_code(['convert', '--arch', 'hint', str(bad), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ')
    assert len(err.strip().splitlines()) == 1
    assert '_leave_mark' in err
    assert not (tmp_path / MARK).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['bad_gen.pth', 'official']


def test_wrong_arch_and_swapped_files_are_one_line_and_write_nothing(
    tmp_path, official, capsys
):
    gen, _ = official
    out = tmp_path / 'o.pth'
    assert _exit_code(['convert', '--arch', 'mxt', str(gen), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: ')
    assert len(err.strip().splitlines()) == 1
    assert "'hint'" in err  # names the arch the keys fit
    args = ['convert', '--arch', 'hint', str(gen), str(out), '--dis', str(gen)]
    assert _exit_code(args) == 2
    err = capsys.readouterr().err
    assert "needs the 'discriminator' entry" in err
    assert "this file holds ['generator']" in err
    with pytest.raises(CheckpointMismatchError):  # in-process callers get the error
        cli_main(['convert', '--arch', 'mxt', str(gen), str(out)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ['official']


@pytest.mark.parametrize(
    ('out', 'expected'),
    [
        (
            'missing/o.pth',
            'output folder {tmp}/missing does not exist; create it first',
        ),
        ('.', 'output {tmp} is a folder; give a file name, e.g. {tmp}/model.pth'),
        ('o.safetensors', 'name it e.g. {tmp}/o.pth'),
        ('official/InpaintingModel_gen.pth', 'the official file is kept'),
    ],
)
def test_bad_output_is_refused_before_reading_the_files(
    tmp_path, official, capsys, monkeypatch, out, expected
):
    gen, _ = official
    before = gen.read_bytes()
    monkeypatch.chdir(tmp_path)
    target = str(tmp_path / out) if out != '.' else str(tmp_path)
    assert _exit_code(['convert', '--arch', 'hint', str(gen), target]) == 2
    err = capsys.readouterr().err
    assert expected.format(tmp=tmp_path) in err
    assert len(err.strip().splitlines()) == 1
    assert gen.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ['official']
    assert sorted(p.name for p in (tmp_path / 'official').iterdir()) == [
        'InpaintingModel_dis.pth',
        'InpaintingModel_gen.pth',
    ]


def test_failed_write_goes_through_partial_and_leaves_nothing(
    tmp_path, official, capsys, monkeypatch
):
    """The checkpoint is written as .<name>.partial, renamed only at the end."""
    gen, _ = official
    saved: list[str] = []
    real_save = torch.save

    def full_disk(obj, path, *args, **kwargs):
        saved.append(Path(path).name)
        real_save(obj, path, *args, **kwargs)  # a partly written file exists
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(torch, 'save', full_disk)
    out = tmp_path / 'o.pth'
    assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 2
    assert saved == ['.o.pth.partial']
    err = capsys.readouterr().err
    assert err == (
        f'error: could not write {tmp_path}/.o.pth.partial: No space left on '
        'device; nothing was written\n'
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ['official']
    # a failing rename (the last step) leaves neither the file nor the config
    monkeypatch.setattr(torch, 'save', real_save)

    def no_rename(src, dst):
        raise PermissionError(13, 'Permission denied')

    monkeypatch.setattr(os, 'replace', no_rename)
    assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 2
    config = tmp_path / 'o_config.py'  # renamed first, the checkpoint last
    assert f'could not write {config}: Permission denied' in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ['official']


def test_a_config_of_the_users_is_never_replaced_or_deleted(
    tmp_path, official, capsys, monkeypatch
):
    """The config's name is derived from the output: one the user wrote there
    (no converter header) or a folder is refused before the files are read."""
    from inpaintzoo.models.converters import checkpoint_files

    gen, _ = official
    out = tmp_path / 'c.pth'
    mine = tmp_path / 'c_config.py'
    mine.write_text('# my config\n')

    def not_yet(*args, **kwargs):
        raise AssertionError('the official files were read before the check')

    with monkeypatch.context() as patch:
        patch.setattr(checkpoint_files, 'convert_official_files', not_yet)
        assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f'error: {mine} (the config written next to {out}) is a file')
    assert 'pass --no-config; nothing was written' in err
    assert mine.read_text() == '# my config\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['c_config.py', 'official']
    mine.unlink()
    mine.mkdir()
    assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 2
    assert 'is a folder; move it away' in capsys.readouterr().err
    assert mine.is_dir()
    assert not out.exists()
    # --no-config converts without touching it
    assert (
        _exit_code(['convert', '--arch', 'hint', str(gen), str(out), '--no-config'])
        == 0
    )
    assert out.is_file()
    assert mine.is_dir()


def test_converting_again_replaces_its_own_files_and_says_so(
    tmp_path, official, capsys, monkeypatch
):
    gen, _ = official
    out = tmp_path / 'c.pth'
    assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 0
    assert 'replaced' not in capsys.readouterr().out
    config = tmp_path / 'c_config.py'
    before = (out.read_bytes(), config.read_text())
    assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 0
    printed = capsys.readouterr().out
    assert f'replaced the existing {out}\n' in printed
    assert f'replaced the existing {config}\n' in printed

    # a failed third run leaves the converted pair as it was
    def no_rename(src, dst):
        raise PermissionError(13, 'Permission denied')

    monkeypatch.setattr(os, 'replace', no_rename)
    assert _exit_code(['convert', '--arch', 'hint', str(gen), str(out)]) == 2
    assert (out.read_bytes(), config.read_text()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'c.pth',
        'c_config.py',
        'official',
    ]


def test_discriminator_arch_is_not_offered(tmp_path, official, capsys):
    gen, _ = official
    with pytest.raises(SystemExit):
        cli_main(['convert', '--arch', 'discriminator', str(gen), str(tmp_path / 'o')])
    assert "invalid choice: 'discriminator'" in capsys.readouterr().err
    with pytest.raises(ConfigError, match='converts a discriminator'):
        convert_official_files('discriminator', str(gen))
