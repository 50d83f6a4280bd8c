"""``download(name)``: a ready-to-load converted generator of a zoo model.

Order of work for the zoo model ``name`` (cache folder ``$INPAINTZOO_HOME/<name>``):

1. the converted ``converted/<name>.safetensors`` is there and matches its
   recorded sha256 -> return it (no network, no conversion);
2. a source's files are already in the cache folder (downloaded before, or put
   there by hand) -> verify / convert them, cache the result, return it;
3. offline (``offline=True`` or ``INPAINTZOO_OFFLINE=1``) -> raise
   :class:`WeightsUnavailableError`;
4. fetch each source in turn (http(s) with resume and sha256; Drive via
   ``gdown``; ``hf://`` via ``huggingface_hub``), then as in 2.
   If none can be fetched, :class:`WeightsUnavailableError` names each link,
   the files to fetch by hand and the exact folder to put them in.

A wrong sha256 (the file is deleted) or a file of the wrong structure or with
degenerate values is an error at once; the other sources are not tried for it.

A source file with no published sha256 (the official Drive files) can only be
checked by structure. Each time such a file is converted, and the first time
per process its converted file is reused, a warning says that its content was
not verified against a published hash.
"""

import logging
import urllib.error
from pathlib import Path

from inpaintzoo.hub.cache import is_offline
from inpaintzoo.hub.gdrive import ExtraNotInstalled, fetch_drive_files
from inpaintzoo.hub.hf import fetch_hf_file, hf_file_name
from inpaintzoo.hub.http_download import download_file, part_path
from inpaintzoo.hub.model_index import get_model_info
from inpaintzoo.hub.weights_check import (
    CHECKED_BY_SHA256,
    CHECKED_BY_STRUCTURE,
    convert_official_file,
    load_own_file,
    save_converted,
    source_check_of,
)
from inpaintzoo.hub.zoo_model import WeightSource, ZooModel
from inpaintzoo.utils.errors import CorruptCheckpointError, WeightsUnavailableError

logger = logging.getLogger(__name__)
#: converted files already warned about in this process (see :func:`_warn_reuse`)
_WARNED_REUSE: set[str] = set()


def _local_files(source: WeightSource, folder: Path) -> list[Path]:
    names = [hf_file_name(source.link)] if source.kind == 'hf' else list(source.files)
    return [folder / n for n in names]


def _check_hash(source: WeightSource, path: Path) -> bool:
    """Check ``path`` against its published sha256; whether one was published.

    ``url`` sources always have one, ``hf`` and Drive sources may. The recorded
    value is a full sha256 (checked when the metafile is read).

    Raises:
        CorruptCheckpointError: the hash differs (the file is deleted).
    """
    from inpaintzoo.engine.checkpoint import file_sha256

    expected = source.sha256.get(path.name)
    if expected is None:
        return False
    actual = file_sha256(path)
    if actual != expected:
        path.unlink(missing_ok=True)
        raise CorruptCheckpointError(
            f'{path} (from {source.link}) has sha256 {actual}, expected {expected}; '
            'it was deleted. Fetch it again'
        )
    return True


def _warn_structure_only(info: ZooModel, path: Path) -> None:
    """One-line warning: ``path`` was checked by structure, not by a published hash."""
    logger.warning(
        '%s: its content could not be verified against a published sha256 (none is '
        'published for it); zoo model %r checked it by structure only (keys, shapes, '
        'parameter count, finite non-constant values)',
        path,
        info.name,
    )


def _warn_reuse(info: ZooModel, path: Path) -> None:
    """Once per process: ``path`` comes from a source no published hash verified."""
    check = source_check_of(path)
    if check == CHECKED_BY_SHA256 or str(path) in _WARNED_REUSE:
        return
    _WARNED_REUSE.add(str(path))
    how = (
        'checked by structure only'
        if check == CHECKED_BY_STRUCTURE
        else 'converted by an older inpaintzoo that did not record how it was checked'
    )
    logger.warning(
        '%s (zoo model %r): its source file was not verified against a published '
        'sha256 (%s)',
        path,
        info.name,
        how,
    )


def _prepare(info: ZooModel, source: WeightSource, files: list[Path]) -> Path:
    """Verify (official files: convert) ``files``; cache and return the result."""
    main = files[0]
    by_hash = _check_hash(source, main)
    if source.format == 'official':
        state = convert_official_file(info, main, source.converter or info.arch)
    else:
        state = load_own_file(info, main)
    if not by_hash:
        _warn_structure_only(info, main)
    check = CHECKED_BY_SHA256 if by_hash else CHECKED_BY_STRUCTURE
    path = save_converted(info, state, main, check)
    _WARNED_REUSE.add(str(path))  # just warned about its source, if at all
    logger.info('zoo model %s: %s -> %s', info.name, main, path)
    return path


def _fetch(source: WeightSource, folder: Path) -> list[Path]:
    if source.kind == 'url':
        name = source.files[0]
        return [download_file(source.link, folder / name, source.sha256[name])]
    if source.kind == 'gdrive':
        return fetch_drive_files(source.link, source.files, folder)
    return [fetch_hf_file(source.link, folder)]


def _manual_help(info: ZooModel, folder: Path) -> str:
    lines = []
    for i, source in enumerate(info.weights, 1):
        names = ', '.join(f.name for f in _local_files(source, folder))
        how = {
            'url': 'download',
            'gdrive': 'open the Google Drive folder and download',
            'hf': 'download from the Hugging Face repository',
        }[source.kind]
        note = f' ({source.note})' if source.note else ''
        lines.append(f'  {i}. {how} {names} from {source.link}{note}')
    return '\n'.join(lines)


def unavailable_error(info: ZooModel, reasons: list[str]) -> WeightsUnavailableError:
    """The error that tells how to fetch ``info``'s weights by hand."""
    folder = info.cache_dir()
    why = '; '.join(reasons) or 'no weight source is recorded for it'
    if not info.weights:
        return WeightsUnavailableError(
            f'no weights are published for zoo model {info.name!r} ({why}); train it '
            f'with {info.config} and pass the checkpoint explicitly'
        )
    return WeightsUnavailableError(
        f'the weights of zoo model {info.name!r} could not be fetched: {why}.\n'
        f'Fetch them by hand (any one source):\n{_manual_help(info, folder)}\n'
        f'and put the file(s) into {folder}/ (keep the names); the next call '
        'verifies, converts and uses them there.'
    )


def download(name: str, *, offline: bool | None = None) -> Path:
    """Path of a ready-to-load converted ``.safetensors`` generator of ``name``.

    Args:
        name (str): zoo name (``'hint_celeba-hq'``) or metafile ``Name``.
        offline (bool, optional): never touch the network; default
            ``$INPAINTZOO_OFFLINE``.

    Returns:
        Path: ``$INPAINTZOO_HOME/<name>/converted/<name>.safetensors`` (keys
        ``generator.*``), verified against its sha256 sidecar.

    Raises:
        ConfigError: unknown name (lists close names).
        WeightsUnavailableError: nothing cached and nothing could be fetched
            (offline, no network, optional extra missing); names the links,
            the files and the cache folder to put them in.
        CorruptCheckpointError: a download has the wrong sha256 (deleted), an
            official file is unreadable, or the weights are degenerate (NaN/Inf,
            every tensor one repeated value).
        UnsafeCheckpointError: a ``.pth`` refers to a Python object outside the
            allow-list of the safe loader.
        CheckpointMismatchError: a file's structure is not this model's.
    """
    info = get_model_info(name)
    cached = info.local_path()
    if cached is not None:
        _warn_reuse(info, cached)
        return cached
    folder = info.cache_dir()
    for source in info.weights:
        files = _local_files(source, folder)
        if all(f.is_file() for f in files):
            return _prepare(info, source, files)
    if is_offline(offline):
        raise unavailable_error(
            info, ['offline mode is on (offline=True or INPAINTZOO_OFFLINE=1)']
        )
    reasons = []
    for source in info.weights:
        try:
            files = _fetch(source, folder)
        except ExtraNotInstalled as err:
            reasons.append(str(err))
            continue
        except (urllib.error.URLError, OSError) as err:  # no network, HTTP error
            partial = ''
            if source.kind == 'url' and part_path(folder / source.files[0]).is_file():
                partial = ' (partial download kept; the next call resumes it)'
            reasons.append(f'{source.link}: {err}{partial}')
            continue
        return _prepare(info, source, files)
    raise unavailable_error(info, reasons)
