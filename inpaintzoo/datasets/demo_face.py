"""Tiny face demo data set with 68-point landmarks (no download, no dlib needed).

Layout written by :func:`prepare_face_demo_data` (the one
``configs/_base_/datasets/demo_face.py`` reads)::

    OUT_DIR/train/images/astronaut_<k>.png    48 face crops of skimage's astronaut
    OUT_DIR/train/landmarks/astronaut_<k>.txt (jittered centre, varied scale)
    OUT_DIR/test/images/test_<k>.png          8 face crops of matplotlib's
    OUT_DIR/test/masks/test_<k>.png           grace_hopper (a face never trained
    OUT_DIR/test/landmarks/test_<k>.txt       on), fixed masks as in demo.py:
                                              3 x 0.01-20 %, 3 x 20-40 %, 2 x 40-60 %
    OUT_DIR/val/{images,masks,landmarks}/val_<k>.*   4 other grace_hopper crops

The only face pictures shipped by the dependencies are these two (the other
scikit-image / matplotlib sample pictures have no face dlib finds, and
scikit-image's ``lfw_subset`` faces are 25 x 25 grey patches). Their 68 landmarks
(iBUG-300W order, (x, y) pixels of the full picture) were computed once with
dlib's HOG detector + 68-point shape predictor (``inpaintzoo.face.detect_faces``,
``upsample=1``; for astronaut the highest-scoring of the two boxes, the other is
the shoulder patch) and are embedded below, so writing the demo needs neither
dlib nor a download; a test checks dlib still finds them within 2 px.

Every crop is a square ``[left, left + side) x [top, top + side)`` of integer
pixels inside the picture, resized to ``size`` with Pillow's bicubic filter
(:func:`resize_image`); its landmarks are moved exactly as ``CenterCropResize``
moves them (``x' = (x - left) * size / side``, the official code's convention),
so the files are what the pipeline would produce from the square crop. The output
is the same bytes on every run (with the same Pillow / libjpeg build).
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from inpaintzoo.datasets.demo import (
    DEMO_SEED,
    TEST_BUCKETS,
    VAL_BUCKETS,
    VAL_MASK_OFFSET,
    demo_mask_source,
)
from inpaintzoo.datasets.face_landmarks import write_landmarks
from inpaintzoo.datasets.transforms.functional import resize_image
from inpaintzoo.utils.errors import ConfigError

#: picture used for training, and the one (never trained on) for val/test
TRAIN_SOURCE = 'astronaut'
EVAL_SOURCE = 'grace_hopper'
NUM_TRAIN = 48
#: crop side as a multiple of the landmarks' larger extent: (min, max) per split
TRAIN_SCALE = (1.35, 1.9)
EVAL_SCALE = (1.45, 1.75)
#: largest shift of the crop centre, as a fraction of the crop side
TRAIN_SHIFT = 0.1
EVAL_SHIFT = 0.05

# dlib 68-point landmarks of the full pictures, x0 y0 x1 y1 ... x67 y67
# (astronaut: 512 x 512; grace_hopper: 512 wide, 600 high)
SOURCE_LANDMARKS: dict[str, tuple[int, ...]] = {
    'astronaut': (
        179, 104, 180, 116, 181, 127, 182, 139, 185, 150, 191, 160, 200, 168, 209, 176,
        220, 178, 232, 177, 243, 171, 253, 163, 260, 154, 265, 143, 268, 131, 270, 120,
        272, 108, 186, 94, 192, 88, 200, 87, 208, 89, 216, 92, 236, 93, 244, 91, 252,
        91, 260, 92, 265, 99, 226, 102, 225, 111, 225, 119, 225, 127, 214, 131, 219,
        133, 224, 134, 229, 133, 234, 132, 195, 101, 200, 98, 207, 98, 212, 104, 206,
        104, 199, 104, 237, 106, 243, 100, 250, 100, 255, 105, 250, 107, 244, 107, 201,
        139, 209, 139, 218, 139, 224, 141, 230, 140, 238, 140, 246, 141, 238, 151, 229,
        155, 222, 156, 216, 155, 208, 150, 204, 141, 218, 143, 223, 144, 230, 143, 243,
        142, 229, 150, 223, 151, 217, 150,
    ),
    'grace_hopper': (
        178, 203, 181, 226, 186, 248, 192, 270, 199, 291, 209, 310, 226, 323, 245, 331,
        269, 333, 293, 329, 312, 319, 329, 304, 340, 284, 347, 262, 351, 241, 353, 218,
        355, 195, 189, 188, 196, 172, 211, 165, 228, 165, 243, 171, 284, 168, 298, 161,
        315, 161, 331, 167, 340, 181, 265, 188, 265, 205, 266, 221, 267, 238, 247, 246,
        257, 249, 268, 252, 278, 249, 287, 246, 210, 195, 218, 187, 228, 187, 238, 194,
        229, 195, 219, 196, 291, 192, 300, 184, 310, 184, 319, 190, 311, 192, 301, 193,
        233, 281, 245, 274, 258, 272, 267, 274, 277, 271, 288, 273, 300, 277, 289, 284,
        278, 287, 269, 289, 259, 288, 246, 285, 238, 279, 258, 278, 268, 279, 277, 278,
        296, 278, 277, 278, 268, 279, 258, 279,
    ),
}  # fmt: skip


def face_sources() -> dict[str, Callable[[], np.ndarray]]:
    """Loaders of the two face pictures, (H, W, 3) uint8 RGB each."""

    def astronaut() -> np.ndarray:
        from skimage import data

        return data.astronaut()

    def grace_hopper() -> np.ndarray:
        from matplotlib import cbook  # installed with mmengine

        from inpaintzoo.utils.image_io import read_image

        return read_image(cbook.get_sample_data('grace_hopper.jpg', asfileobj=False))

    return {'astronaut': astronaut, 'grace_hopper': grace_hopper}


def source_landmarks(name: str) -> np.ndarray:
    """The embedded landmarks of source picture ``name``, (68, 2) float32 (x, y)."""
    return np.asarray(SOURCE_LANDMARKS[name], dtype=np.float32).reshape(68, 2)


def face_crop_boxes(
    landmarks: np.ndarray,
    image_shape: tuple[int, ...],
    count: int,
    scale: tuple[float, float],
    shift: float,
    rng: np.random.Generator,
) -> list[tuple[int, int, int]]:
    """Square crop boxes around a face, with random scale and centre shift.

    Args:
        landmarks (np.ndarray): (68, 2) (x, y) of the face.
        image_shape (tuple[int, ...]): (H, W, ...) of the picture.
        count (int): number of boxes.
        scale (tuple[float, float]): side range, in multiples of the landmarks'
            larger extent.
        shift (float): largest centre shift per axis, as a fraction of the side.
        rng (np.random.Generator): source of the jitter.

    Returns:
        list[tuple[int, int, int]]: ``(top, left, side)`` integer squares inside
        the picture.
    """
    height, width = image_shape[:2]
    low, high = landmarks.min(0), landmarks.max(0)
    centre, extent = (low + high) / 2, float((high - low).max())
    boxes = []
    for _ in range(count):
        side = round(extent * rng.uniform(*scale))
        side = min(side, height, width)
        cx, cy = centre + rng.uniform(-shift, shift, size=2) * side
        left = int(np.clip(round(cx - side / 2), 0, width - side))
        top = int(np.clip(round(cy - side / 2), 0, height - side))
        boxes.append((top, left, side))
    return boxes


def crop_face(
    img: np.ndarray, landmarks: np.ndarray, box: tuple[int, int, int], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``box`` = (top, left, side), resize it to ``size``, move the landmarks.

    Returns:
        tuple[np.ndarray, np.ndarray]: (size, size, 3) uint8 crop and its
        (68, 2) float32 landmarks, ``(x - left) * size / side`` (as
        ``CenterCropResize``).
    """
    top, left, side = box
    crop = resize_image(img[top : top + side, left : left + side], (size, size))
    scale = np.float32(size / side)
    pts = (landmarks - np.array([left, top], np.float32)) * scale
    return crop, pts.astype(np.float32)


def _save(arr: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path, format='PNG')
    return path


def _write_masks(
    out: Path,
    split: str,
    stems: list[str],
    buckets: tuple[str, ...],
    offset: int,
    size: int,
) -> list[Path]:
    written = []
    for k, (stem, bucket) in enumerate(zip(stems, buckets)):
        masker = demo_mask_source(size, bucket)
        mask = masker.generate((size, size), masker.rng_for(offset + k))
        written.append(
            _save((mask * 255).astype(np.uint8), out / split / 'masks' / stem)
        )
    return written


def prepare_face_demo_data(
    out_dir: str | Path, size: int = 64
) -> dict[str, list[Path]]:
    """Write the face demo data set (layout in the module docstring).

    Args:
        out_dir (str | Path): output folder, e.g. ``data/demo_face``.
        size (int): side of the square crops and masks. Defaults to 64.

    Returns:
        dict[str, list[Path]]: written files under ``'train'``,
        ``'train_landmarks'``, ``'test_images'``, ``'test_masks'``,
        ``'test_landmarks'``, ``'val_images'``, ``'val_masks'`` and
        ``'val_landmarks'``.
    """
    if size < 16:
        raise ConfigError(f'face demo size must be at least 16 pixels, got {size}')
    out = Path(out_dir)
    sources = face_sources()
    written: dict[str, list[Path]] = {}
    rng = np.random.default_rng(DEMO_SEED)
    img, pts = sources[TRAIN_SOURCE](), source_landmarks(TRAIN_SOURCE)
    boxes = face_crop_boxes(pts, img.shape, NUM_TRAIN, TRAIN_SCALE, TRAIN_SHIFT, rng)
    written['train'], written['train_landmarks'] = [], []
    for k, box in enumerate(boxes):
        crop, crop_pts = crop_face(img, pts, box, size)
        stem = f'{TRAIN_SOURCE}_{k:02d}'
        written['train'].append(_save(crop, out / 'train' / 'images' / f'{stem}.png'))
        written['train_landmarks'].append(
            write_landmarks(out / 'train' / 'landmarks' / f'{stem}.txt', crop_pts)
        )
    img, pts = sources[EVAL_SOURCE](), source_landmarks(EVAL_SOURCE)
    rng = np.random.default_rng(DEMO_SEED + 1)
    splits = (('test', TEST_BUCKETS, 0), ('val', VAL_BUCKETS, VAL_MASK_OFFSET))
    for split, buckets, offset in splits:
        boxes = face_crop_boxes(
            pts, img.shape, len(buckets), EVAL_SCALE, EVAL_SHIFT, rng
        )
        stems = [f'{split}_{k:02d}.png' for k in range(len(buckets))]
        written[f'{split}_images'], written[f'{split}_landmarks'] = [], []
        for stem, box in zip(stems, boxes):
            crop, crop_pts = crop_face(img, pts, box, size)
            written[f'{split}_images'].append(
                _save(crop, out / split / 'images' / stem)
            )
            txt = out / split / 'landmarks' / stem.replace('.png', '.txt')
            written[f'{split}_landmarks'].append(write_landmarks(txt, crop_pts))
        written[f'{split}_masks'] = _write_masks(
            out, split, stems, buckets, offset, size
        )
    return written


#: side of the unseen face picture that ends ``make demo MODEL=nclg``
FACE_PICTURE_SIZE = 96
#: its crop side, in multiples of the landmarks' larger extent (centred, no jitter)
FACE_PICTURE_SCALE = 1.6


def face_demo_picture(size: int = FACE_PICTURE_SIZE) -> np.ndarray:
    """A centred face crop of grace_hopper (never trained on), (size, size, 3) uint8.

    The demo figure inpaints it through ``inpaintzoo inpaint``; it differs from
    the test crops in framing and size (the fixed-size model resizes it).
    """
    img, pts = face_sources()[EVAL_SOURCE](), source_landmarks(EVAL_SOURCE)
    scale = (FACE_PICTURE_SCALE, FACE_PICTURE_SCALE)
    box = face_crop_boxes(pts, img.shape, 1, scale, 0.0, np.random.default_rng(0))[0]
    return crop_face(img, pts, box, size)[0]
