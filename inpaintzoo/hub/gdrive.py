"""Google Drive folders through the optional ``gdown``; extra ``[hub]``.

The official HINT / MxT / SEM-Net weights are Drive folders. :func:`fetch_drive_files`
downloads a folder into a staging folder beside the cache, picks the needed files
by name and moves them into the model's cache folder.
"""

import importlib
import shutil
from pathlib import Path
from types import ModuleType


class ExtraNotInstalled(ImportError):
    """An optional download client is not installed (the message says how to get it)."""


def import_gdown() -> ModuleType:
    """The ``gdown`` module, or :class:`ExtraNotInstalled` naming the pip command."""
    try:
        return importlib.import_module('gdown')
    except ImportError as err:
        raise ExtraNotInstalled(
            'Google Drive downloads need the optional gdown package: '
            "pip install 'inpaintzoo[hub]' (or pip install gdown)"
        ) from err


def fetch_drive_files(link: str, files: tuple[str, ...], dest: Path) -> list[Path]:
    """Download the Drive folder ``link`` and keep ``files`` in ``dest``.

    Args:
        link (str): ``https://drive.google.com/drive/folders/<id>`` link.
        files (tuple[str, ...]): names to take from the folder (searched in
            its sub-folders too).
        dest (Path): the model's cache folder.

    Returns:
        list[Path]: ``dest / name`` for each of ``files``.

    Raises:
        ExtraNotInstalled: ``gdown`` is missing.
        OSError: the download failed, a file is missing from the folder, or a
            name occurs more than once in it (ambiguous).
    """
    gdown = import_gdown()
    dest.mkdir(parents=True, exist_ok=True)
    staging = dest / '.gdrive-staging'
    staging.mkdir(exist_ok=True)
    try:
        got = gdown.download_folder(
            url=link, output=str(staging), quiet=True, use_cookies=False, resume=True
        )
    except Exception as err:  # gdown raises many types (requests, its own, ValueError)
        raise OSError(
            f'gdown could not download {link}: {type(err).__name__}: {err}'
        ) from err
    if got is None:
        raise OSError(f'gdown could not download {link} (it returned no files)')
    out = []
    for name in files:
        found = sorted(p for p in staging.rglob(name) if p.is_file())
        if not found:
            raise OSError(f'the Drive folder {link} holds no file named {name!r}')
        if len(found) > 1:
            where = ', '.join(str(p.relative_to(staging)) for p in found)
            raise OSError(
                f'the Drive folder {link} holds {name!r} more than once ({where}); '
                'which one belongs to this model is not recorded'
            )
        target = dest / name
        shutil.move(str(found[0]), target)
        out.append(target)
    shutil.rmtree(staging, ignore_errors=True)
    return out
