"""Plain http(s) downloads with resume, sha256 check and atomic rename.

The bytes go to ``<file>.part``; an interrupted download keeps it, and the next
call asks the server for the rest (``Range: bytes=<size>-``). Only a complete
file whose sha256 equals the expected one is renamed to its final name; any
other complete file is deleted and the error gives both hashes. The expected
hash is always the full sha256 (64 hex digits); a prefix is refused.
"""

import logging
import os
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path

from inpaintzoo.engine.atomic_io import commit_file
from inpaintzoo.engine.checkpoint import file_sha256
from inpaintzoo.hub.zoo_model import is_full_sha256
from inpaintzoo.utils.errors import ConfigError, CorruptCheckpointError

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


class DownloadInterrupted(OSError):
    """The transfer stopped early; the ``.part`` file is kept for a resume."""


def part_path(target: Path) -> Path:
    """The partial-download file of ``target``: ``<name>.part``."""
    return target.with_name(f'{target.name}.part')


def _open(url: str, start: int, timeout: float):
    headers = {'User-Agent': 'inpaintzoo-hub'}
    if start:
        headers['Range'] = f'bytes={start}-'
    return urllib.request.urlopen(
        urllib.request.Request(url, headers=headers), timeout=timeout
    )


def _fetch_into(url: str, part: Path, timeout: float) -> None:
    """Append the rest of ``url`` to ``part`` (restart if the server ignores Range)."""
    start = part.stat().st_size if part.is_file() else 0
    try:
        response = _open(url, start, timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and start:  # nothing left to send: the part is complete
            return
        raise
    with response:
        if start and response.status != 206:
            logger.info(
                '%s does not resume (HTTP %s); downloading from the start',
                url,
                response.status,
            )
            start = 0
        length = response.headers.get('Content-Length')
        expected = int(length) if length is not None else None
        received = 0
        mode = 'ab' if start else 'wb'
        with open(part, mode) as f:
            try:
                for block in iter(lambda: response.read(_CHUNK), b''):
                    f.write(block)
                    received += len(block)
            except (HTTPException, OSError) as err:
                raise DownloadInterrupted(
                    f'download of {url} stopped after {start + received} bytes '
                    f'({err}); '
                    f'the partial file {part} is kept and the next call resumes it'
                ) from err
        if expected is not None and received < expected:
            raise DownloadInterrupted(
                f'download of {url} stopped after {start + received} of '
                f'{start + expected} bytes; the partial file {part} is kept and the '
                'next call resumes it'
            )


def download_file(
    url: str, target: str | os.PathLike, sha256: str, *, timeout: float = 60.0
) -> Path:
    """Download ``url`` to ``target`` unless a file with the right hash is there.

    Args:
        url (str): http(s) URL.
        target (str | PathLike): final path of the file.
        sha256 (str): expected sha256, all 64 hex digits (any case).
        timeout (float): socket timeout in seconds.

    Returns:
        Path: ``target``, complete and verified.

    Raises:
        ConfigError: ``sha256`` is not 64 hex digits (nothing is fetched).
        CorruptCheckpointError: the downloaded (or cached) file has another
            sha256; it was deleted, and the message gives expected and actual.
        DownloadInterrupted: the transfer stopped early (``.part`` kept).
        urllib.error.URLError: no connection / HTTP error (``.part`` kept).
    """
    target = Path(target)
    if not is_full_sha256(sha256):
        raise ConfigError(
            f'cannot download {url}: the expected sha256 {sha256!r} is not a full '
            'sha256 (64 hex digits), so the file could not be checked'
        )
    expected = sha256.lower()
    if target.is_file():
        actual = file_sha256(target)
        if actual == expected:
            return target
        target.unlink()
        raise CorruptCheckpointError(
            f'the cached file {target} has sha256 {actual}, expected {expected}; it '
            f'was deleted. Call again to download {url} anew'
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(target)
    _fetch_into(url, part, timeout)
    actual = file_sha256(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise CorruptCheckpointError(
            f'{url} downloaded with sha256 {actual}, expected {expected}: the file '
            f'is corrupt or not the published one, and was deleted (nothing kept in '
            f'{target.parent}). Check the link, or download it by hand and compare '
            'its sha256'
        )
    commit_file(part, target)
    return target
