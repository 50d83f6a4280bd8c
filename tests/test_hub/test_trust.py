"""What the zoo trusts: recorded hashes, structure-only sources, degenerate weights,
file names in the cache and the safe loader for official files."""

import importlib
import io
import logging
import os
import shutil

import pytest
import torch
from safetensors import safe_open

from inpaintzoo.hub import download, get_model_info
from inpaintzoo.hub.cache import read_sidecar
from inpaintzoo.utils.errors import (
    ConfigError,
    CorruptCheckpointError,
    UnsafeCheckpointError,
)
from tests.test_hub.conftest import sha256_hex
from tests.test_hub.test_download import (
    GEN,
    assert_is_tiny_generator,
    drive_source,
    url_source,
)

HUB_LOGGER = 'inpaintzoo.hub.download'
#: the module (``inpaintzoo.hub.download`` the attribute is the function)
download_module = importlib.import_module(HUB_LOGGER)


@pytest.fixture(autouse=True)
def _fresh_reuse_warnings(monkeypatch):
    """Each test starts as a new process would: no reuse warned about yet."""
    monkeypatch.setattr(download_module, '_WARNED_REUSE', set())


def put_by_hand(zoo_home, name: str, file: str, data: bytes):
    """Put ``data`` into the model's cache folder as a user would."""
    folder = zoo_home / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_bytes(data)
    return folder / file


def official_with(official_bytes: bytes, change) -> bytes:
    """The tiny official file with ``change(key, tensor) -> tensor`` applied."""
    raw = torch.load(io.BytesIO(official_bytes), weights_only=True)
    raw['generator'] = {k: change(k, v) for k, v in raw['generator'].items()}
    buf = io.BytesIO()
    torch.save(raw, buf)
    return buf.getvalue()


def structure_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == HUB_LOGGER and r.levelno == logging.WARNING
    ]


# -- defect: an empty or short recorded hash turned the check off --------------


def test_private_index_with_empty_sha256_is_refused(
    zoo_home, tiny_zoo, http_server, converted_bytes, tmp_path
):
    source = url_source(http_server, converted_bytes)
    source['SHA256'] = {'tiny-gen.safetensors': ''}
    tiny_zoo('tiny_url', [source])
    zeros = put_by_hand(zoo_home, 'tiny_url', 'tiny-gen.safetensors', b'\0' * 64)
    with pytest.raises(ConfigError) as err:
        download('tiny_url', offline=True)
    msg = str(err.value)
    assert str(tmp_path / 'zoo' / 'metafile.yml') in msg
    assert "'tiny_url-config'" in msg
    assert "'tiny-gen.safetensors'" in msg
    assert zeros.is_file()


# -- defect: structure-only sources passed silently -----------------------------


def test_structure_only_source_warns_and_records_it(
    zoo_home, tiny_zoo, official_bytes, tiny_generator, caplog
):
    tiny_zoo('tiny_official', [drive_source()])
    hand = put_by_hand(zoo_home, 'tiny_official', GEN, official_bytes)
    caplog.set_level(logging.WARNING, logger=HUB_LOGGER)
    path = download('tiny_official', offline=True)
    assert_is_tiny_generator(path, tiny_generator)
    (warning,) = structure_warnings(caplog)
    assert str(hand) in warning
    assert 'could not be verified against a published sha256' in warning
    assert '\n' not in warning
    with safe_open(str(path), 'pt') as f:
        assert f.metadata()['source_check'] == 'structure'
    caplog.clear()
    download_module._WARNED_REUSE.clear()  # a new process reusing the cache
    assert download('tiny_official', offline=True) == path
    (again,) = structure_warnings(caplog)
    assert str(path) in again
    assert 'structure only' in again
    caplog.clear()
    download('tiny_official', offline=True)  # once per process is enough
    assert structure_warnings(caplog) == []


def test_converted_file_without_a_check_record_warns_once_on_reuse(
    zoo_home, tiny_zoo, official_bytes, tiny_generator, caplog
):
    # a file converted by an older inpaintzoo: no ``source_check`` in its metadata
    from safetensors.torch import load_file, save_file

    from inpaintzoo.hub.cache import write_sidecar

    tiny_zoo('tiny_official', [drive_source()])
    put_by_hand(zoo_home, 'tiny_official', GEN, official_bytes)
    path = download('tiny_official', offline=True)
    with safe_open(str(path), 'pt') as f:
        metadata = dict(f.metadata())
    del metadata['source_check']
    for kept in (metadata, None):  # older metadata, or none at all
        save_file(load_file(str(path)), str(path), metadata=kept)
        write_sidecar(path)
        download_module._WARNED_REUSE.clear()  # a new process reusing the cache
        caplog.clear()
        caplog.set_level(logging.WARNING, logger=HUB_LOGGER)
        assert download('tiny_official', offline=True) == path
        assert_is_tiny_generator(path, tiny_generator)
        (warning,) = structure_warnings(caplog)
        assert str(path) in warning
        assert 'not verified against a published sha256' in warning
        assert 'converted by an older inpaintzoo' in warning
        caplog.clear()
        download('tiny_official', offline=True)  # once per process is enough
        assert structure_warnings(caplog) == []


def test_source_with_published_sha256_gives_no_warning(
    zoo_home, tiny_zoo, http_server, converted_bytes, caplog
):
    tiny_zoo('tiny_url', [url_source(http_server, converted_bytes)])
    caplog.set_level(logging.WARNING, logger=HUB_LOGGER)
    path = download('tiny_url')
    download_module._WARNED_REUSE.clear()
    download('tiny_url')
    assert structure_warnings(caplog) == []
    with safe_open(str(path), 'pt') as f:
        assert f.metadata()['source_check'] == 'sha256'


def _zero(key, value):
    return torch.zeros_like(value)


def _nan_in_one(key, value):
    if value.is_floating_point() and value.numel() > 1:
        value = value.clone()
        value.view(-1)[0] = float('nan')
    return value


def _inf_in_one(key, value):
    if value.is_floating_point() and value.numel() > 1:
        value = value.clone()
        value.view(-1)[-1] = float('inf')
    return value


def _constant_per_layer(key, value):
    return torch.full_like(value, 0.01 * (len(key) % 7 + 1))


@pytest.mark.parametrize(
    ('change', 'match'),
    [
        (_zero, 'one repeated value'),
        (_constant_per_layer, 'one repeated value'),
        (_nan_in_one, 'NaN or Inf'),
        (_inf_in_one, 'NaN or Inf'),
    ],
)
def test_degenerate_official_file_is_refused_and_not_cached(
    zoo_home, tiny_zoo, official_bytes, change, match
):
    tiny_zoo('tiny_official', [drive_source()])
    hand = put_by_hand(
        zoo_home, 'tiny_official', GEN, official_with(official_bytes, change)
    )
    with pytest.raises(CorruptCheckpointError, match=match) as err:
        download('tiny_official', offline=True)
    assert str(hand) in str(err.value)
    converted = get_model_info('tiny_official').converted_path()
    assert not converted.exists()
    assert read_sidecar(converted) is None


def test_degenerate_own_file_is_refused(
    zoo_home, tiny_zoo, http_server, tiny_generator
):
    from safetensors.torch import save

    zeros = save(
        {
            f'generator.{k}': torch.zeros_like(v).contiguous()
            for k, v in tiny_generator.state_dict().items()
        }
    )
    tiny_zoo('tiny_url', [url_source(http_server, zeros)])
    with pytest.raises(CorruptCheckpointError, match='one repeated value'):
        download('tiny_url')


# -- defect: a source named like the converted file was deleted -----------------


def test_source_named_like_the_converted_file_is_kept(
    zoo_home, tiny_zoo, http_server, converted_bytes, tiny_generator
):
    name = 'tiny_url.safetensors'
    tiny_zoo('tiny_url', [url_source(http_server, converted_bytes, '/' + name)])
    source = put_by_hand(zoo_home, 'tiny_url', name, converted_bytes)
    path = download('tiny_url', offline=True)  # fetched by hand, keeping the name
    assert path != source
    assert_is_tiny_generator(path, tiny_generator)
    assert source.read_bytes() == converted_bytes
    assert get_model_info('tiny_url').local_path() == path
    assert source.read_bytes() == converted_bytes
    assert http_server.requests == []


def test_converted_file_of_the_old_layout_is_moved(
    zoo_home, tiny_zoo, official_bytes, tiny_generator
):
    tiny_zoo('tiny_official', [drive_source()])
    put_by_hand(zoo_home, 'tiny_official', GEN, official_bytes)
    path = download('tiny_official', offline=True)
    legacy = zoo_home / 'tiny_official' / 'tiny_official.safetensors'
    shutil.move(path, legacy)
    shutil.move(f'{path}.sha256', f'{legacy}.sha256')
    (zoo_home / 'tiny_official' / GEN).unlink()  # no source left to convert again
    assert download('tiny_official', offline=True) == path
    assert_is_tiny_generator(path, tiny_generator)
    assert not legacy.exists()


def test_degenerate_converted_file_of_the_old_layout_is_dropped(
    zoo_home, tiny_zoo, tiny_generator, caplog
):
    """Older versions converted without the value check: an all-zero one goes."""
    from safetensors.torch import save_file

    from inpaintzoo.hub.cache import write_sidecar

    tiny_zoo('tiny_official', [drive_source()])
    legacy = zoo_home / 'tiny_official' / 'tiny_official.safetensors'
    legacy.parent.mkdir(parents=True)
    zeros = {
        f'generator.{k}': torch.zeros_like(v).contiguous()
        for k, v in tiny_generator.state_dict().items()
    }
    save_file(zeros, str(legacy), metadata={'zoo_name': 'tiny_official'})
    write_sidecar(legacy)
    caplog.set_level(logging.WARNING)
    info = get_model_info('tiny_official')
    assert info.local_path() is None
    assert not legacy.exists()
    assert not info.converted_path().exists()
    assert read_sidecar(info.converted_path()) is None
    assert any('one repeated value' in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize('with_sidecar', [False, True])
def test_file_at_the_old_place_that_is_no_converted_file_is_left_alone(
    zoo_home, tiny_zoo, http_server, converted_bytes, with_sidecar
):
    """Only a file the converter wrote (sidecar and zoo name) is moved; not others."""
    from inpaintzoo.hub.cache import write_sidecar

    name = 'tiny_url.safetensors'
    tiny_zoo('tiny_url', [url_source(http_server, converted_bytes, '/' + name)])
    source = put_by_hand(zoo_home, 'tiny_url', name, converted_bytes)
    if with_sidecar:  # intact, but its metadata names no zoo model
        write_sidecar(source)
    assert get_model_info('tiny_url').local_path() is None
    assert source.read_bytes() == converted_bytes


# -- defect: official files bypassed the engine's safe loader -------------------


class _RunsShell:
    """Pickles as ``os.system(command)`` (GLOBAL posix.system)."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.mark.parametrize('unsafe_env', [False, True])
def test_official_file_with_unsafe_global_names_it(
    zoo_home, tiny_zoo, tmp_path, monkeypatch, unsafe_env
):
    marker = tmp_path / 'code-ran'
    buf = io.BytesIO()
    torch.save({'generator': _RunsShell(f'touch {marker}')}, buf)
    if unsafe_env:  # the training switch never reaches the zoo's loads
        monkeypatch.setenv('INPAINTZOO_UNSAFE_PICKLE', '1')
    tiny_zoo('tiny_official', [drive_source()])
    put_by_hand(zoo_home, 'tiny_official', GEN, buf.getvalue())
    with pytest.raises(UnsafeCheckpointError) as err:
        download('tiny_official', offline=True)
    msg = str(err.value)
    assert 'posix.system' in msg or 'os.system' in msg
    assert 'weights_only' not in msg
    assert not marker.exists()


def test_own_pth_file_is_never_fully_unpickled(
    zoo_home, tiny_zoo, tmp_path, monkeypatch
):
    marker = tmp_path / 'code-ran'
    buf = io.BytesIO()
    torch.save({'state_dict': _RunsShell(f'touch {marker}')}, buf)
    monkeypatch.setenv('INPAINTZOO_UNSAFE_PICKLE', '1')
    tiny_zoo(
        'tiny_hf',
        [{'Source': 'hf', 'Link': 'hf://org/repo/tiny.pth', 'Files': ['tiny.pth']}],
    )
    put_by_hand(zoo_home, 'tiny_hf', 'tiny.pth', buf.getvalue())
    with pytest.raises(UnsafeCheckpointError, match='system'):
        download('tiny_hf', offline=True)
    assert not marker.exists()


@pytest.mark.parametrize(
    ('data', 'match'),
    [
        (b'\x00\x01random bytes, not a checkpoint' * 50, 'not a PyTorch checkpoint'),
        (b'PK\x03\x04' + b'\x00' * 300, 'corrupt or truncated'),
        (b'', 'empty'),
    ],
)
def test_official_file_that_is_no_checkpoint_says_so(zoo_home, tiny_zoo, data, match):
    tiny_zoo('tiny_official', [drive_source()])
    hand = put_by_hand(zoo_home, 'tiny_official', GEN, data)
    with pytest.raises(CorruptCheckpointError, match=match) as err:
        download('tiny_official', offline=True)
    assert str(hand) in str(err.value)
    assert 'weights_only' not in str(err.value)


def test_file_put_by_hand_with_another_sha256_is_deleted(
    zoo_home, tiny_zoo, http_server, converted_bytes
):
    """The recorded hash is checked for files put by hand too, in full."""
    source = url_source(http_server, converted_bytes)
    real = sha256_hex(converted_bytes)
    source['SHA256'] = {'tiny-gen.safetensors': real[:8] + real[8:][::-1]}
    tiny_zoo('tiny_url', [source])
    hand = put_by_hand(zoo_home, 'tiny_url', 'tiny-gen.safetensors', converted_bytes)
    with pytest.raises(CorruptCheckpointError, match='deleted') as err:
        download('tiny_url', offline=True)
    assert real in str(err.value)
    assert not hand.exists()
