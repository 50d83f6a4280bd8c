"""The weights cache: where it is, offline mode, and sha256 sidecar files.

Layout: ``$INPAINTZOO_HOME/<zoo name>/`` holds the fetched files (official
``InpaintingModel_gen.pth`` or our published file, under their own names), and
its sub-folder ``converted/`` the converted generator ``<zoo name>.safetensors``
with its hash in ``<zoo name>.safetensors.sha256``. The sidecar guards the
cache against damage only; how the source was checked (published sha256 or
structure only) is in the converted file's metadata (``source_check``).
``INPAINTZOO_HOME`` defaults to ``$XDG_CACHE_HOME/inpaintzoo``, i.e.
``~/.cache/inpaintzoo``.
"""

import logging
import os
from pathlib import Path

from inpaintzoo.engine.atomic_io import write_text_atomically
from inpaintzoo.engine.checkpoint import file_sha256

logger = logging.getLogger(__name__)

#: environment variable naming the cache folder
HOME_ENV = 'INPAINTZOO_HOME'
#: environment variable that switches offline mode on (``1``/``true``/``yes``/``on``)
OFFLINE_ENV = 'INPAINTZOO_OFFLINE'
_TRUE = {'1', 'true', 'yes', 'on'}

__all__ = [
    'HOME_ENV',
    'OFFLINE_ENV',
    'adopt_legacy_converted',
    'cache_root',
    'converted_metadata',
    'file_sha256',
    'is_offline',
    'model_cache_dir',
    'read_sidecar',
    'verified_cached_file',
    'write_sidecar',
]


def cache_root() -> Path:
    """The cache folder: ``$INPAINTZOO_HOME`` or ``<user cache>/inpaintzoo``.

    The user cache folder is ``$XDG_CACHE_HOME``, else ``~/.cache``.
    """
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get('XDG_CACHE_HOME')
    base = Path(xdg).expanduser() if xdg else Path.home() / '.cache'
    return base / 'inpaintzoo'


def model_cache_dir(name: str) -> Path:
    """Cache folder of the zoo model ``name`` (not created)."""
    return cache_root() / name


def is_offline(offline: bool | None = None) -> bool:
    """``offline`` if given, else whether ``$INPAINTZOO_OFFLINE`` is true."""
    if offline is not None:
        return bool(offline)
    return os.environ.get(OFFLINE_ENV, '').strip().lower() in _TRUE


def _sidecar(path: Path) -> Path:
    return path.with_name(f'{path.name}.sha256')


def write_sidecar(path: str | os.PathLike) -> str:
    """Compute ``path``'s sha256 and record it in ``<path>.sha256``; return it."""
    path = Path(path)
    digest = file_sha256(path)
    write_text_atomically(_sidecar(path), f'{digest}  {path.name}\n')
    return digest


def read_sidecar(path: str | os.PathLike) -> str | None:
    """The sha256 recorded next to ``path``, or ``None`` when there is none."""
    side = _sidecar(Path(path))
    if not side.is_file():
        return None
    text = side.read_text(encoding='utf-8').split()
    return text[0].lower() if text else None


def verified_cached_file(path: str | os.PathLike) -> Path | None:
    """``path`` if it exists and its sha256 equals its sidecar's, else ``None``.

    A file whose hash differs from the recorded one (changed or damaged since
    it was written) is deleted with its sidecar, and a warning says so, so that
    the caller converts or downloads it again.
    """
    path = Path(path)
    if not path.is_file():
        return None
    expected = read_sidecar(path)
    actual = file_sha256(path) if expected else None
    if expected and actual == expected:
        return path
    logger.warning(
        'cached weights %s %s; deleting it so it is rebuilt',
        path,
        f'have sha256 {actual}, not the recorded {expected}'
        if expected
        else 'have no recorded sha256 (<file>.sha256)',
    )
    path.unlink(missing_ok=True)
    _sidecar(path).unlink(missing_ok=True)
    return None


def converted_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The metadata of a converted ``.safetensors`` file; ``{}`` if unreadable."""
    try:
        from safetensors import safe_open

        with safe_open(str(path), 'pt') as f:
            return dict(f.metadata() or {})
    except Exception:  # not a safetensors file, or safetensors missing
        return {}


def adopt_legacy_converted(legacy: Path, target: Path, name: str) -> bool:
    """Move a converted file of an older layout to ``target``; whether it did.

    Older versions kept the converted generator at ``<zoo name>/<zoo name>
    .safetensors``, a name a fetched file may have too. ``legacy`` is moved
    (with its sidecar) only if it is intact against its sidecar and its
    metadata names zoo model ``name``, i.e. it was written by the converter;
    anything else is left where it is, untouched.
    """
    expected = read_sidecar(legacy) if legacy.is_file() else None
    if not expected or file_sha256(legacy) != expected:
        return False
    if converted_metadata(legacy).get('zoo_name') != name:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(legacy, target)
    os.replace(_sidecar(legacy), _sidecar(target))
    logger.info('moved the converted weights %s to %s', legacy, target)
    return True
