"""List image files from a folder or a ``.flist`` file.

A *source* is either a folder, listed recursively, or a ``.flist`` text file with
one path per line. Folder listings are sorted; a flist keeps its own order.
"""

import os
import re
from pathlib import Path

from inpaintzoo.utils.errors import ConfigError, ImageReadError

IMG_EXTENSIONS: tuple[str, ...] = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')
_DIGITS = re.compile(r'(\d+)')


def natural_sort_key(path: str | Path) -> tuple:
    """Sort key that compares digit runs as numbers: ``'2.jpg' < '10.jpg'``.

    Args:
        path (str | Path): a file path.

    Returns:
        tuple: a key for ``sorted``. For zero-padded names it orders like plain
        string sorting.
    """
    parts = _DIGITS.split(str(path))
    return tuple(
        (1, int(part), part) if part.isdigit() else (0, 0, part) for part in parts
    )


def is_image_file(path: str | Path) -> bool:
    """Whether ``path`` has one of :data:`IMG_EXTENSIONS` (case-insensitive)."""
    return str(path).lower().endswith(IMG_EXTENSIONS)


def list_folder(folder: str | Path, numeric_sort: bool = True) -> list[str]:
    """List the image files under ``folder`` recursively, sorted.

    Args:
        folder (str | Path): the folder.
        numeric_sort (bool): sort digit runs numerically (``'2.jpg'`` before
            ``'10.jpg'``); otherwise plain lexicographic order of the full paths
            (the official flist tool's order). Defaults to True.

    Returns:
        list[str]: file paths (``folder`` joined with the relative path).

    Raises:
        ImageReadError: if the folder does not exist or holds no image file.
    """
    if not os.path.isdir(folder):
        raise ImageReadError(f'image folder {folder} does not exist')
    paths = [
        os.path.join(root, name)
        for root, _, names in os.walk(folder, followlinks=True)
        for name in names
        if is_image_file(name)
    ]
    if not paths:
        raise ImageReadError(
            f'no image files ({", ".join(IMG_EXTENSIONS)}) found under {folder}'
        )
    return sorted(paths, key=natural_sort_key if numeric_sort else None)


def read_flist(flist: str | Path, root: str | Path | None = None) -> list[str]:
    """Read a ``.flist`` file: one path per line, blank lines ignored.

    Args:
        flist (str | Path): the list file.
        root (str | Path, optional): folder that relative entries are resolved
            against. Defaults to None, meaning the flist's own folder.

    Returns:
        list[str]: the paths in file order.

    Raises:
        ImageReadError: if the flist is empty or names a file that is missing.
    """
    base = Path(root) if root is not None else Path(flist).parent
    with open(flist, encoding='utf-8') as f:
        entries = [line.strip() for line in f]
    paths = []
    for lineno, entry in enumerate(entries, start=1):
        if not entry:
            continue
        path = entry if os.path.isabs(entry) else str(base / entry)
        if not os.path.isfile(path):
            raise ImageReadError(
                f'{flist}, line {lineno}: listed file {path!r} does not exist'
            )
        paths.append(path)
    if not paths:
        raise ImageReadError(f'flist {flist} lists no files')
    return paths


def list_source(
    source: str | Path,
    numeric_sort: bool = True,
    flist_root: str | Path | None = None,
) -> list[str]:
    """List the files of a source: a folder (recursive, sorted) or a ``.flist``.

    Args:
        source (str | Path): folder or ``.flist`` file.
        numeric_sort (bool): see :func:`list_folder`; not applied to a flist,
            whose order is kept. Defaults to True.
        flist_root (str | Path, optional): see :func:`read_flist`.

    Returns:
        list[str]: file paths.

    Raises:
        ImageReadError: if the source does not exist, or see the helpers.
        ConfigError: if ``source`` is a file that is not a ``.flist``.
    """
    source = str(source)
    if os.path.isdir(source):
        return list_folder(source, numeric_sort)
    if not os.path.exists(source):
        raise ImageReadError(f'image/mask source {source!r} does not exist')
    if not source.endswith(('.flist', '.txt')):
        raise ConfigError(
            f'source {source!r} must be a folder or a .flist/.txt file list'
        )
    return read_flist(source, flist_root)
