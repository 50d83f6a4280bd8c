"""http(s) downloads: sha256 check, atomic rename, resume of a cut transfer."""

import pytest

from inpaintzoo.hub.http_download import DownloadInterrupted, download_file, part_path
from inpaintzoo.utils.errors import ConfigError, CorruptCheckpointError
from tests.test_hub.conftest import sha256_hex

DATA = bytes(range(256)) * 64  # 16 KiB


def test_download_verifies_and_renames(http_server, tmp_path):
    http_server.files['/w.bin'] = DATA
    target = tmp_path / 'w.bin'
    assert download_file(http_server.url('/w.bin'), target, sha256_hex(DATA)) == target
    assert target.read_bytes() == DATA
    assert not part_path(target).exists()
    # a second call finds the verified file and sends no request
    download_file(http_server.url('/w.bin'), target, sha256_hex(DATA).upper())
    assert len(http_server.requests) == 1


@pytest.mark.parametrize('expected', ['', 'a', 'zz-not-hex', 'PREFIX8', 'x' * 64])
def test_a_hash_that_is_not_64_hex_digits_is_refused(http_server, tmp_path, expected):
    """Only a full sha256 checks a file: a prefix or empty value never turns it off."""
    http_server.files['/w.bin'] = DATA
    target = tmp_path / 'w.bin'
    if expected == 'PREFIX8':
        expected = sha256_hex(DATA)[:8]
    with pytest.raises(ConfigError, match='64 hex digits'):
        download_file(http_server.url('/w.bin'), target, expected)
    assert http_server.requests == []
    target.write_bytes(DATA)  # even a cached file with a matching prefix
    with pytest.raises(ConfigError, match='64 hex digits'):
        download_file(http_server.url('/w.bin'), target, sha256_hex(DATA)[:8])


def test_corrupted_download_is_deleted_and_named(http_server, tmp_path):
    bad = bytearray(DATA)
    bad[100] ^= 0xFF
    http_server.files['/w.bin'] = bytes(bad)
    target = tmp_path / 'w.bin'
    with pytest.raises(CorruptCheckpointError) as err:
        download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    msg = str(err.value)
    assert sha256_hex(DATA) in msg
    assert sha256_hex(bytes(bad)) in msg
    assert 'deleted' in msg
    assert not target.exists()
    assert not part_path(target).exists()


def test_truncated_file_is_refused(http_server, tmp_path):
    """A server serving a truncated file: the hash says so, nothing is kept."""
    http_server.files['/w.bin'] = DATA[: len(DATA) // 2]
    target = tmp_path / 'w.bin'
    with pytest.raises(CorruptCheckpointError, match='expected'):
        download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    assert list(tmp_path.iterdir()) == []


def test_cut_transfer_is_kept_and_resumed(http_server, tmp_path):
    http_server.files['/w.bin'] = DATA
    http_server.cut_after['/w.bin'] = 5000
    target = tmp_path / 'w.bin'
    with pytest.raises(DownloadInterrupted, match='resumes'):
        download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    assert part_path(target).stat().st_size == 5000
    assert not target.exists()
    download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    assert target.read_bytes() == DATA
    assert http_server.requests[-1] == ('/w.bin', 'bytes=5000-')


def test_server_without_range_restarts(http_server, tmp_path):
    http_server.files['/w.bin'] = DATA
    http_server.ranges = False
    target = tmp_path / 'w.bin'
    part_path(target).write_bytes(b'garbage-prefix')
    download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    assert target.read_bytes() == DATA


def test_complete_part_is_finished_without_body(http_server, tmp_path):
    """A part as long as the file (answer 416) is checked and renamed."""
    http_server.files['/w.bin'] = DATA
    target = tmp_path / 'w.bin'
    part_path(target).write_bytes(DATA)
    download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    assert target.read_bytes() == DATA


def test_cached_file_with_wrong_hash_is_deleted(tmp_path, http_server):
    target = tmp_path / 'w.bin'
    target.write_bytes(b'not it')
    with pytest.raises(CorruptCheckpointError, match='deleted'):
        download_file(http_server.url('/w.bin'), target, sha256_hex(DATA))
    assert not target.exists()
