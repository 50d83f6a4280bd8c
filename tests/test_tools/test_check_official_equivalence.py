import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / 'tools' / 'check_official_equivalence.py'


def _main(argv):
    spec = importlib.util.spec_from_file_location('check_official_equivalence', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main(argv)


def _copy_fixture(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for name in ('config.json', 'io.pt'):
        shutil.copy(src / name, dst / name)
    return dst


@pytest.mark.parametrize('arch', ['hint', 'discriminator'])
def test_exit_zero_on_fixture(reference_dir, arch, capsys):
    assert _main(['--arch', arch, '--fixture', str(reference_dir / arch)]) == 0
    out = capsys.readouterr().out
    assert 'FAIL' not in out
    assert 'output_float32' in out
    assert 'output_official_init' in out


def test_exit_nonzero_on_corrupted_weights(reference_dir, tmp_path, capsys):
    fx = _copy_fixture(reference_dir / 'hint', tmp_path / 'hint')
    sd = torch.load(
        reference_dir / 'hint' / 'generator_state_dict.pt', weights_only=True
    )
    sd = dict(sd)
    sd['latent.0.attn.qkv.weight'] = sd['latent.0.attn.qkv.weight'] * 1.01
    torch.save(sd, fx / 'generator_state_dict.pt')
    assert _main(['--arch', 'hint', '--fixture', str(fx)]) == 1
    assert 'FAIL output (float64)' in capsys.readouterr().out


def test_exit_two_on_missing_key(reference_dir, tmp_path, capsys):
    fx = _copy_fixture(reference_dir / 'discriminator', tmp_path / 'disc')
    sd = torch.load(
        reference_dir / 'discriminator' / 'discriminator_state_dict.pt',
        weights_only=True,
    )
    sd = {k: v for k, v in sd.items() if not k.startswith('conv3.')}
    torch.save(sd, fx / 'discriminator_state_dict.pt')
    assert _main(['--arch', 'discriminator', '--fixture', str(fx)]) == 2
    assert 'conv3.weight_orig' in capsys.readouterr().err


def test_cli_subprocess(reference_dir):
    fixture = str(reference_dir / 'discriminator')
    cmd = [sys.executable, str(TOOL), '--arch', 'discriminator', '--fixture', fixture]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert 'checks passed' in proc.stdout


def _tool():
    spec = importlib.util.spec_from_file_location('check_official_equivalence', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(('diff', 'code'), [(0.0, 0), (1e-6, 1)])
def test_train_step_option_reports_and_exits(monkeypatch, capsys, tmp_path, diff, code):
    """--train-step runs the train-step check (the real run: test_inpaintors)."""
    from inpaintzoo.models.converters.equivalence import Check

    mod, seen = _tool(), {}

    def fake_check(arch, fixture, config, device, atol):
        seen.update(arch=arch, fixture=fixture, config=config, atol=atol)
        return [Check('generator after the step', diff, atol)]

    monkeypatch.setattr(mod, 'check_train_step', fake_check)
    argv = ['--arch', 'mxt', '--train-step', '--fixture', str(tmp_path)]
    assert mod.main(argv) == code
    assert seen == dict(arch='mxt', fixture=str(tmp_path), config=None, atol=1e-10)
    out = capsys.readouterr().out
    assert ('FAIL generator after the step' in out) == bool(code)


def test_train_step_option_rejects_archs_without_fixture(capsys):
    with pytest.raises(SystemExit) as exc:
        _main(['--arch', 'discriminator', '--train-step', '--fixture', 'x'])
    assert exc.value.code == 2
    assert '--train-step needs --arch' in capsys.readouterr().err


def test_train_step_option_on_a_non_fixture_folder(tmp_path, capsys):
    assert _main(['--arch', 'hint', '--train-step', '--fixture', str(tmp_path)]) == 2
    assert 'not a train-step fixture folder' in capsys.readouterr().err


@pytest.mark.slow
def test_nclg_fixture_checks_image_and_landmarks(reference_dir, capsys):
    """The two-output NCLG-MT generator: image and landmarks, each dtype (~60 s)."""
    assert _main(['--arch', 'nclg', '--fixture', str(reference_dir / 'nclg')]) == 0
    out = capsys.readouterr().out
    assert 'FAIL' not in out
    for name in ('landmark (float64)', 'landmark_float32', 'landmark_official_init'):
        assert f'ok   {name}' in out
