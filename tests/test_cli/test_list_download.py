"""`inpaintzoo list` and `inpaintzoo download` (stand-in hub, then the real one)."""

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from inpaintzoo.cli import main
from inpaintzoo.cli.cmd_list import format_params
from inpaintzoo.cli.main import cli_main
from inpaintzoo.utils.errors import ConfigError


@dataclass
class FakeModel:
    name: str
    arch: str = 'hint'
    task: str = 'inpainting'
    config: str = 'hint/x.py'
    dataset: str = 'CelebA-HQ'
    params: int | None = 10_400_000
    results: dict = field(default_factory=dict)
    weights: list = field(default_factory=list)
    local: Path | None = None

    def local_path(self):
        return self.local


@pytest.fixture
def fake_hub(monkeypatch, tmp_path):
    models = [
        FakeModel('hint_celeba-hq', weights=['gdrive'], local=tmp_path / 'w.st'),
        FakeModel('mxt_places2', arch='mxt', dataset='Places2', weights=['hf']),
        FakeModel('nclg_celeba', task='face', params=None),
    ]
    calls = []

    def download(name, *, offline=None):
        calls.append((name, offline))
        if name != 'hint_celeba-hq':
            raise ConfigError(
                f'unknown zoo model {name!r}; did you mean hint_celeba-hq?'
            )
        return tmp_path / 'w.st'

    hub = types.SimpleNamespace(list_models=lambda: models, download=download)
    monkeypatch.setitem(sys.modules, 'inpaintzoo.hub', hub)
    return models, calls


def test_list_table_has_every_model_and_local_weights(fake_hub, capsys):
    assert cli_main(['list']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['NAME', 'ARCH', 'TASK', 'PARAMS', 'DATASET', 'WEIGHTS']
    assert lines[1].split() == [
        'hint_celeba-hq', 'hint', 'inpainting', '10.4M', 'CelebA-HQ', 'local'
    ]  # fmt: skip
    assert lines[2].split()[-1] == 'download'
    assert lines[3].split()[3] == '-'
    assert lines[3].split()[-1] == 'none'
    assert lines[4].startswith('3 model(s).')


def test_list_json(fake_hub, capsys, tmp_path):
    cli_main(['list', '--json'])
    records = json.loads(capsys.readouterr().out)
    assert [r['name'] for r in records] == [m.name for m in fake_hub[0]]
    assert records[0]['local_path'] == str(tmp_path / 'w.st')
    assert records[1]['local_path'] is None
    assert records[1]['weights'] == ['hf']


def test_format_params():
    assert [format_params(v) for v in (None, 950, 1_500, 31_234_567)] == [
        '-',
        '950',
        '1.5K',
        '31.2M',
    ]


def test_download_prints_path_last(fake_hub, capsys, tmp_path):
    assert cli_main(['download', 'hint_celeba-hq', '--offline']) == 0
    assert capsys.readouterr().out.splitlines()[-1] == str(tmp_path / 'w.st')
    assert fake_hub[1] == [('hint_celeba-hq', True)]
    cli_main(['download', 'hint_celeba-hq'])
    assert fake_hub[1][-1] == ('hint_celeba-hq', None)


def test_download_unknown_name_is_one_line_error(fake_hub, capsys):
    with pytest.raises(SystemExit) as exc:
        main(['download', 'hnit'])
    assert exc.value.code == 2
    assert capsys.readouterr().err == (
        "error: unknown zoo model 'hnit'; did you mean hint_celeba-hq?\n"
    )


def test_real_list_shows_every_zoo_model(capsys):
    hub = pytest.importorskip('inpaintzoo.hub')
    names = [m.name for m in hub.list_models()]
    assert names
    cli_main(['list'])
    rows = capsys.readouterr().out.splitlines()[1:-1]
    assert [row.split()[0] for row in rows] == names


def test_list_says_how_local_weights_were_checked(fake_hub, capsys, tmp_path):
    """local:sha256 / local:structure from the converted file's metadata."""
    import torch
    from safetensors.torch import save_file

    models, _ = fake_hub
    models[1].local = tmp_path / 'm.st'
    for path, check in [(models[0].local, 'structure'), (models[1].local, 'sha256')]:
        save_file({'w': torch.zeros(2)}, str(path), {'source_check': check})
    assert cli_main(['list']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[-1] == 'local:structure'
    assert lines[2].split()[-1] == 'local:sha256'
    assert 'local:structure = downloaded, no published hash' in lines[-1]
    cli_main(['list', '--json'])
    records = json.loads(capsys.readouterr().out)
    assert [r['source_check'] for r in records] == ['structure', 'sha256', None]
