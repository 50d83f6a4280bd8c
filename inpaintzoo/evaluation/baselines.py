"""Classical (non-learned) inpainting baselines for comparison tables."""

from pathlib import Path

import cv2
import numpy as np

from inpaintzoo.utils.errors import ImageReadError, InvalidMaskError
from inpaintzoo.utils.mask import MaskConvention

from .folder_io import list_images, match_stems, read_mask, read_rgb


def telea_inpaint(img: np.ndarray, mask: np.ndarray, radius: int = 3) -> np.ndarray:
    """Fill the hole with OpenCV's Telea fast-marching method.

    Args:
        img (np.ndarray): (H, W, 3) uint8 RGB.
        mask (np.ndarray): (H, W) float or bool, 1 = hole.
        radius (int): neighbourhood radius in pixels. Defaults to 3.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB; known pixels are unchanged.
    """
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(
            f'expected an (H, W, 3) uint8 image, got {img.shape} {img.dtype}'
        )
    if mask.shape != img.shape[:2]:
        raise InvalidMaskError(
            f'mask of shape {mask.shape} does not match image {img.shape[:2]}'
        )
    hole = (np.asarray(mask) > 0).astype(np.uint8) * 255
    return cv2.inpaint(img, hole, float(radius), cv2.INPAINT_TELEA)


def telea_folder(
    img_dir: str | Path,
    mask_dir: str | Path,
    out_dir: str | Path,
    radius: int = 3,
    mask_convention: MaskConvention = 'white_hole',
) -> tuple[list[Path], dict[str, list[str]]]:
    """Inpaint every image of ``img_dir`` with its stem-matched mask.

    Args:
        img_dir (str | Path): input images.
        mask_dir (str | Path): masks, same stems.
        out_dir (str | Path): created if needed; results are ``<stem>.png``.
        radius (int): Telea radius. Defaults to 3.
        mask_convention (str): ``'white_hole'`` (default) or ``'black_hole'``.

    Returns:
        tuple: written paths, and ``{'img'|'mask': [stems]}`` left unmatched.
    """
    folders = {'img': list_images(img_dir), 'mask': list_images(mask_dir)}
    stems, unmatched = match_stems(folders)
    if not stems:
        raise ImageReadError(f'no image in {img_dir} has a mask in {mask_dir}')
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem in stems:
        img = read_rgb(folders['img'][stem])
        mask = read_mask(folders['mask'][stem], mask_convention)
        if mask.shape != img.shape[:2]:
            raise InvalidMaskError(
                f'mask {folders["mask"][stem]} is {mask.shape[1]}x{mask.shape[0]} '
                f'but image {folders["img"][stem]} is {img.shape[1]}x{img.shape[0]}'
            )
        result = telea_inpaint(img, mask, radius)
        path = out / f'{stem}.png'
        if not cv2.imwrite(str(path), cv2.cvtColor(result, cv2.COLOR_RGB2BGR)):
            raise OSError(f'cannot write {path}')
        written.append(path)
    return written, unmatched
