"""Read image/mask folders and pair their files (by stem, or masks cyclically)."""

from pathlib import Path

import numpy as np

from inpaintzoo.utils.errors import ImageReadError
from inpaintzoo.utils.image_io import read_image
from inpaintzoo.utils.mask import MaskConvention
from inpaintzoo.utils.mask_io import read_mask as read_mask_file

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff', '.avif')


def list_images(folder: str | Path) -> dict[str, Path]:
    """Map each image file's stem to its path.

    Args:
        folder (str | Path): directory (not searched recursively).

    Returns:
        dict[str, Path]: ``{stem: path}``, sorted by stem.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ImageReadError(f'not a directory: {root}')
    files: dict[str, Path] = {}
    for path in sorted(root.iterdir()):
        if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS:
            if path.stem in files:
                raise ImageReadError(
                    f'two files with stem {path.stem!r} in {root}: '
                    f'{files[path.stem].name} and {path.name}'
                )
            files[path.stem] = path
    return files


def match_stems(
    folders: dict[str, dict[str, Path]],
) -> tuple[list[str], dict[str, list[str]]]:
    """Stems present in every folder, and per folder those left unmatched.

    Args:
        folders (dict[str, dict[str, Path]]): ``{folder label: list_images()}``.

    Returns:
        tuple: sorted common stems, and ``{label: sorted unmatched stems}`` for
        folders that have any.
    """
    sets = [set(files) for files in folders.values()]
    common = set.intersection(*sets) if sets else set()
    unmatched = {
        label: sorted(set(files) - common)
        for label, files in folders.items()
        if set(files) - common
    }
    return sorted(common), unmatched


def pair_masks_cyclically(
    images: dict[str, Path], masks: dict[str, Path]
) -> dict[str, Path]:
    """Official test pairing (mask mode 6): image ``i`` gets mask ``i mod n``.

    Both folders are taken in sorted file-name order, as the official flists
    are; the index is the image's position among *all* files of ``images``.

    Args:
        images (dict[str, Path]): :func:`list_images` of the GT folder.
        masks (dict[str, Path]): :func:`list_images` of the mask folder.

    Returns:
        dict[str, Path]: ``{image stem: mask path}``.
    """
    if not masks:
        raise ImageReadError('the mask folder holds no image files')
    mask_paths = list(masks.values())
    return {stem: mask_paths[i % len(mask_paths)] for i, stem in enumerate(images)}


def read_rgb(path: str | Path, min_size: int = 1) -> np.ndarray:
    """Read an image as RGB uint8 with the shared reader's rules.

    EXIF orientation is ignored and truncated files are refused; see
    :mod:`inpaintzoo.utils.image_io`.

    Args:
        path (str | Path): image file.
        min_size (int): smallest allowed height and width. Defaults to 1.

    Returns:
        np.ndarray: (H, W, 3) uint8, RGB.
    """
    return read_image(path, min_size=min_size)


def read_mask(
    path: str | Path, convention: MaskConvention = 'white_hole'
) -> np.ndarray:
    """Read a mask file and binarise it with the documented rule.

    0/1-valued files are recognised before the convention is applied; see
    :func:`inpaintzoo.utils.mask_io.read_mask`.

    Args:
        path (str | Path): mask file (grey, RGB or RGBA; 8 or 16 bit).
        convention (str): ``'white_hole'`` or ``'black_hole'``.

    Returns:
        np.ndarray: (H, W) float32, 1 = hole.
    """
    return read_mask_file(path, convention)
