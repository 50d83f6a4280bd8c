"""Tiny demo data set cut from scikit-image's bundled pictures (no download).

Layout written by :func:`prepare_demo_data` (the one the demo config reads)::

    OUT_DIR/train/<source>_<k>.png        48 crops of astronaut, coffee,
                                          immunohistochemistry, motorcycle_left
    OUT_DIR/test/images/test_<k>.png      8 crops of chelsea (a different picture)
    OUT_DIR/test/masks/test_<k>.png       fixed white-hole masks, same stems:
                                          3 x 0.01-20 %, 3 x 20-40 %, 2 x 40-60 %
    OUT_DIR/val/images/val_<k>.png        4 crops of rocket (a third picture),
    OUT_DIR/val/masks/val_<k>.png         validated during training, so the val
                                          grids and metrics are not the test ones

Only the PNG files shipped inside the ``skimage`` package are used, so nothing is
fetched. Crops are squares laid on a regular grid, resized with Pillow's bicubic
filter; masks come from :class:`FreeFormMask` with a fixed seed. The output is
the same bytes on every run.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from inpaintzoo.datasets.masks.free_form import FreeFormMask
from inpaintzoo.datasets.transforms.functional import resize_image
from inpaintzoo.utils.errors import ConfigError

DEMO_SEED = 2024
TEST_BUCKETS: tuple[str, ...] = (
    '0.01-20%',
    '0.01-20%',
    '0.01-20%',
    '20-40%',
    '20-40%',
    '20-40%',
    '40-60%',
    '40-60%',
)
VAL_BUCKETS: tuple[str, ...] = ('0.01-20%', '20-40%', '40-60%', '20-40%')
#: mask seeds of the val masks start here (the test masks use 0..7)
VAL_MASK_OFFSET = 100


def _sources() -> dict[str, Callable[[], np.ndarray]]:
    from skimage import data  # optional dependency, bundled images only

    return {
        'astronaut': data.astronaut,
        'coffee': data.coffee,
        'immunohistochemistry': data.immunohistochemistry,
        'motorcycle_left': lambda: data.stereo_motorcycle()[0],
        'chelsea': data.chelsea,
        'rocket': data.rocket,
    }


def grid_crops(img: np.ndarray, rows: int, cols: int, size: int) -> list[np.ndarray]:
    """Cut ``rows x cols`` squares of side min(H, W) // 2 on a regular grid.

    Args:
        img (np.ndarray): (H, W, 3) uint8 RGB.
        rows (int): crop rows.
        cols (int): crop columns.
        size (int): output side.

    Returns:
        list[np.ndarray]: (size, size, 3) uint8 crops, row-major.
    """
    height, width = img.shape[:2]
    side = min(height, width) // 2
    tops = np.linspace(0, height - side, rows).round().astype(int)
    lefts = np.linspace(0, width - side, cols).round().astype(int)
    return [
        resize_image(img[t : t + side, s : s + side], (size, size))
        for t in tops
        for s in lefts
    ]


def demo_mask_source(size: int, hole_ratio: str) -> FreeFormMask:
    """The :class:`FreeFormMask` settings used for the demo masks at ``size``."""
    return FreeFormMask(
        max_vertices=8,
        max_length=size / 4,
        brush_width=(max(1, size // 20), max(2, size // 8)),
        num_boxes=(0, 1),
        box_size=(0.1, 0.3),
        hole_ratio=hole_ratio,
        seed=DEMO_SEED,
    )


def _save(arr: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path, format='PNG')
    return path


def prepare_demo_data(out_dir: str | Path, size: int = 64) -> dict[str, list[Path]]:
    """Write the demo data set (layout in the module docstring).

    Args:
        out_dir (str | Path): output folder, e.g. ``data/demo``.
        size (int): side of the square crops and masks. Defaults to 64.

    Returns:
        dict[str, list[Path]]: written files under ``'train'``,
        ``'test_images'``, ``'test_masks'``, ``'val_images'`` and
        ``'val_masks'``.
    """
    if size < 16:
        raise ConfigError(f'demo size must be at least 16 pixels, got {size}')
    out = Path(out_dir)
    sources = _sources()
    written: dict[str, list[Path]] = {
        key: []
        for key in ('train', 'test_images', 'test_masks', 'val_images', 'val_masks')
    }
    for name in ('astronaut', 'coffee', 'immunohistochemistry', 'motorcycle_left'):
        for k, crop in enumerate(grid_crops(sources[name](), 3, 4, size)):
            written['train'].append(_save(crop, out / 'train' / f'{name}_{k:02d}.png'))
    test_crops = grid_crops(sources['chelsea'](), 2, 4, size)
    for k, (crop, bucket) in enumerate(zip(test_crops, TEST_BUCKETS)):
        stem = f'test_{k:02d}.png'
        written['test_images'].append(_save(crop, out / 'test' / 'images' / stem))
        masker = demo_mask_source(size, bucket)
        mask = masker.generate((size, size), masker.rng_for(k))
        mask_u8 = (mask * 255).astype(np.uint8)
        written['test_masks'].append(_save(mask_u8, out / 'test' / 'masks' / stem))
    val_crops = grid_crops(sources['rocket'](), 2, 2, size)
    for k, (crop, bucket) in enumerate(zip(val_crops, VAL_BUCKETS)):
        stem = f'val_{k:02d}.png'
        written['val_images'].append(_save(crop, out / 'val' / 'images' / stem))
        masker = demo_mask_source(size, bucket)
        mask = masker.generate((size, size), masker.rng_for(VAL_MASK_OFFSET + k))
        mask_u8 = (mask * 255).astype(np.uint8)
        written['val_masks'].append(_save(mask_u8, out / 'val' / 'masks' / stem))
    return written
