"""``inpaintzoo.hub.download`` end to end on a tiny zoo, without the internet."""

import io
import sys
import types

import pytest
import torch

from inpaintzoo.apis.checkpoint_loading import read_checkpoint
from inpaintzoo.hub import download, get_model_info
from inpaintzoo.hub.cache import read_sidecar
from inpaintzoo.utils.errors import (
    CheckpointMismatchError,
    CorruptCheckpointError,
    WeightsUnavailableError,
)
from tests.test_hub.conftest import sha256_hex

GEN = 'InpaintingModel_gen.pth'
DRIVE = 'https://drive.google.com/drive/folders/tiny-folder-id'


def url_source(http_server, data: bytes, path: str = '/tiny-gen.safetensors') -> dict:
    http_server.files[path] = data
    return {
        'Source': 'url',
        'Link': http_server.url(path),
        'Files': [path.lstrip('/')],
        'SHA256': {path.lstrip('/'): sha256_hex(data)},
    }


def drive_source() -> dict:
    return {
        'Source': 'gdrive',
        'Link': DRIVE,
        'Files': [GEN],
        'Format': 'official',
        'Converter': 'hint',
    }


def fake_gdown(monkeypatch, files: dict[str, bytes]) -> list[dict]:
    """Install a stand-in ``gdown`` whose folder download writes ``files``."""
    calls: list[dict] = []

    def download_folder(**kwargs):
        calls.append(kwargs)
        out = []
        for rel, data in files.items():
            path = __import__('pathlib').Path(kwargs['output']) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            out.append(str(path))
        return out

    monkeypatch.setitem(
        sys.modules, 'gdown', types.SimpleNamespace(download_folder=download_folder)
    )
    return calls


def assert_is_tiny_generator(path, generator):
    state, _ = read_checkpoint(str(path))
    own = generator.state_dict()
    assert set(state) == {f'generator.{k}' for k in own}
    for k, v in own.items():
        assert torch.equal(state[f'generator.{k}'], v), k
    assert read_sidecar(path) == sha256_hex(path.read_bytes())


def test_url_source_downloads_verifies_and_reuses(
    zoo_home, tiny_zoo, http_server, converted_bytes, tiny_generator
):
    tiny_zoo('tiny_url', [url_source(http_server, converted_bytes)])
    path = download('tiny_url')
    assert path == zoo_home / 'tiny_url' / 'converted' / 'tiny_url.safetensors'
    assert path.suffix == '.safetensors'
    assert get_model_info('tiny_url').local_path() == path
    assert_is_tiny_generator(path, tiny_generator)
    n = len(http_server.requests)
    assert download('tiny_url') == path
    assert len(http_server.requests) == n  # reused: no network


def test_url_source_corrupted_is_deleted(
    zoo_home, tiny_zoo, http_server, converted_bytes
):
    bad = bytearray(converted_bytes)
    bad[-10] ^= 0xFF
    source = url_source(http_server, converted_bytes)
    http_server.files['/tiny-gen.safetensors'] = bytes(bad)
    tiny_zoo('tiny_url', [source])
    with pytest.raises(CorruptCheckpointError, match='deleted') as err:
        download('tiny_url')
    assert sha256_hex(converted_bytes) in str(err.value)
    assert not any((zoo_home / 'tiny_url').iterdir())


def test_url_source_cut_then_resumed(
    zoo_home, tiny_zoo, http_server, converted_bytes, tiny_generator
):
    tiny_zoo('tiny_url', [url_source(http_server, converted_bytes)])
    http_server.cut_after['/tiny-gen.safetensors'] = 1000
    with pytest.raises(WeightsUnavailableError, match='partial download kept'):
        download('tiny_url')
    path = download('tiny_url')
    assert http_server.requests[-1][1] == 'bytes=1000-'
    assert_is_tiny_generator(path, tiny_generator)


def test_official_drive_folder_is_converted_once(
    zoo_home, tiny_zoo, monkeypatch, official_bytes, tiny_generator
):
    tiny_zoo('tiny_official', [drive_source()])
    calls = fake_gdown(
        monkeypatch, {'tiny/' + GEN: official_bytes, 'tiny/config.yml': b'x: 1'}
    )
    path = download('tiny_official')
    assert calls
    assert calls[0]['url'] == DRIVE
    assert_is_tiny_generator(path, tiny_generator)
    assert (zoo_home / 'tiny_official' / GEN).read_bytes() == official_bytes
    assert not (zoo_home / 'tiny_official' / '.gdrive-staging').exists()
    from safetensors import safe_open

    with safe_open(str(path), 'pt') as f:
        assert f.metadata()['source_sha256'] == sha256_hex(official_bytes)
    assert download('tiny_official') == path
    assert len(calls) == 1


def test_missing_extra_names_link_files_and_folder_then_manual_copy_works(
    zoo_home, tiny_zoo, monkeypatch, official_bytes, tiny_generator
):
    tiny_zoo('tiny_official', [drive_source()])
    monkeypatch.setitem(sys.modules, 'gdown', None)  # "not installed"
    with pytest.raises(WeightsUnavailableError) as err:
        download('tiny_official')
    msg = str(err.value)
    folder = zoo_home / 'tiny_official'
    assert DRIVE in msg
    assert GEN in msg
    assert str(folder) in msg
    assert 'pip install' in msg
    folder.mkdir(parents=True, exist_ok=True)
    (folder / GEN).write_bytes(official_bytes)  # fetched by hand
    assert_is_tiny_generator(download('tiny_official'), tiny_generator)


def test_offline_never_touches_the_network(
    zoo_home, tiny_zoo, http_server, converted_bytes, monkeypatch
):
    tiny_zoo('tiny_url', [url_source(http_server, converted_bytes)])
    with pytest.raises(WeightsUnavailableError, match='offline') as err:
        download('tiny_url', offline=True)
    assert str(zoo_home / 'tiny_url') in str(err.value)
    monkeypatch.setenv('INPAINTZOO_OFFLINE', '1')
    with pytest.raises(WeightsUnavailableError, match='offline'):
        download('tiny_url')
    assert http_server.requests == []
    assert download('tiny_url', offline=False).is_file()  # the argument wins


def test_wrong_architecture_is_refused(zoo_home, tiny_zoo, monkeypatch):
    from mmengine.config import Config

    from inpaintzoo.models.converters import to_official
    from inpaintzoo.registry import MODELS
    from tests.test_hub.conftest import REPO

    mxt = MODELS.build(
        Config.fromfile(
            str(REPO / 'configs/mxt/mxt-tiny_1xb4-300_demo-64x64.py')
        ).model.generator
    )
    buf = io.BytesIO()
    torch.save({'generator': to_official(mxt.state_dict(), 'mxt')}, buf)
    tiny_zoo('tiny_official', [drive_source()])
    fake_gdown(monkeypatch, {GEN: buf.getvalue()})
    with pytest.raises(CheckpointMismatchError, match="'tiny_official'"):
        download('tiny_official')
    assert not get_model_info('tiny_official').converted_path().exists()


def test_parameter_count_differs_from_metafile(
    zoo_home, tiny_zoo, monkeypatch, official_bytes, tiny_params
):
    tiny_zoo('tiny_official', [drive_source()], params=tiny_params + 1)
    fake_gdown(monkeypatch, {GEN: official_bytes})
    with pytest.raises(CheckpointMismatchError, match='metafile'):
        download('tiny_official')


def test_truncated_official_file_is_refused(zoo_home, tiny_zoo, official_bytes):
    tiny_zoo('tiny_official', [drive_source()])
    folder = zoo_home / 'tiny_official'
    folder.mkdir(parents=True)
    (folder / GEN).write_bytes(official_bytes[: len(official_bytes) // 2])
    with pytest.raises(CorruptCheckpointError, match='truncated'):
        download('tiny_official', offline=True)


def test_tampered_converted_file_is_rebuilt(
    zoo_home, tiny_zoo, monkeypatch, official_bytes, tiny_generator
):
    tiny_zoo('tiny_official', [drive_source()])
    calls = fake_gdown(monkeypatch, {GEN: official_bytes})
    path = download('tiny_official')
    path.write_bytes(path.read_bytes()[:-4] + b'\0\0\0\0')
    assert get_model_info('tiny_official').local_path() is None  # deleted, not trusted
    assert_is_tiny_generator(download('tiny_official', offline=True), tiny_generator)
    assert len(calls) == 1


def test_ambiguous_drive_folder_is_refused(
    zoo_home, tiny_zoo, monkeypatch, official_bytes
):
    tiny_zoo('tiny_official', [drive_source()])
    fake_gdown(monkeypatch, {'a/' + GEN: official_bytes, 'b/' + GEN: official_bytes})
    with pytest.raises(WeightsUnavailableError, match='more than once'):
        download('tiny_official')


def test_hf_source(zoo_home, tiny_zoo, monkeypatch, converted_bytes, tiny_generator):
    calls = []

    def hf_hub_download(repo_id, filename, revision=None, local_dir=None):
        calls.append((repo_id, filename, revision))
        path = __import__('pathlib').Path(local_dir) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(converted_bytes)
        return str(path)

    monkeypatch.setitem(
        sys.modules,
        'huggingface_hub',
        types.SimpleNamespace(hf_hub_download=hf_hub_download),
    )
    tiny_zoo(
        'tiny_hf',
        [
            {
                'Source': 'hf',
                'Link': 'hf://org/repo@v1/w/tiny.safetensors',
                'Files': ['tiny.safetensors'],
                'SHA256': {'tiny.safetensors': sha256_hex(converted_bytes)},
            }
        ],
    )
    assert_is_tiny_generator(download('tiny_hf'), tiny_generator)
    assert calls == [('org/repo', 'w/tiny.safetensors', 'v1')]


def test_no_source_reachable_lists_every_link(zoo_home, tiny_zoo, monkeypatch):
    tiny_zoo(
        'tiny_none',
        [
            {
                'Source': 'url',
                'Link': 'http://127.0.0.1:9/x.safetensors',
                'Files': ['x.safetensors'],
                'SHA256': {'x.safetensors': '0' * 64},
            },
            drive_source(),
        ],
    )
    monkeypatch.setitem(sys.modules, 'gdown', None)
    with pytest.raises(WeightsUnavailableError) as err:
        download('tiny_none')
    msg = str(err.value)
    assert 'http://127.0.0.1:9/x.safetensors' in msg
    assert DRIVE in msg
    assert 'x.safetensors' in msg
