"""Read image/mask folders and pair their files by stem."""

from pathlib import Path

import cv2
import numpy as np

from inpaintzoo.utils.errors import ImageReadError
from inpaintzoo.utils.mask import MaskConvention, binarize_mask

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')


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


def read_rgb(path: str | Path) -> np.ndarray:
    """Read an image as RGB uint8.

    Args:
        path (str | Path): image file.

    Returns:
        np.ndarray: (H, W, 3) uint8, RGB.
    """
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ImageReadError(f'cannot read image {path}')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def read_mask(
    path: str | Path, convention: MaskConvention = 'white_hole'
) -> np.ndarray:
    """Read a mask file and binarise it with the documented rule.

    Args:
        path (str | Path): mask file (grey, RGB or RGBA).
        convention (str): ``'white_hole'`` or ``'black_hole'``.

    Returns:
        np.ndarray: (H, W) float32, 1 = hole.
    """
    mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if mask is None:
        raise ImageReadError(f'cannot read mask {path}')
    if mask.dtype != np.uint8:
        raise ImageReadError(f'mask {path} must be 8-bit, got {mask.dtype}')
    return binarize_mask(mask, convention=convention)
