"""Geometric transforms applied jointly to the image, mask and landmarks."""

from collections.abc import Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.face_landmarks import NAMED_FLIP_PAIRS, flip_permutation
from inpaintzoo.datasets.transforms.functional import (
    MaskInterpolation,
    center_crop_box,
    crop_size,
    random_crop_origin,
    resize_image,
    resize_mask,
)
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError

#: ``CenterCropResize(landmark_rounding=...)`` values
LANDMARK_ROUNDINGS = (None, 'official')


@TRANSFORMS.register_module()
class CenterCropResize(BaseTransform):
    """Official-style square centre crop, then resize.

    The image is cropped to a square of side ``min(h, w)`` with offsets
    ``floor((dim - side) / 2)`` and resized with Pillow's bicubic filter (a no-op
    at the same size), as in the official ``Dataset``. A ``mask`` of the image's
    size gets the same crop, then a resize (``mask_interpolation``) and
    re-binarisation. ``landmarks`` (K, 2) pixel (x, y) are shifted by the crop
    offsets, then scaled by ``out / side`` per axis, as the official NCLG-MT
    dataset does (``x' = (x - left) * W_out / side``). This is exact in the
    pixel-corner convention, which every landmark transform here uses: x = 0 is
    the left edge of column 0, x = W its right edge, and the centre of column
    ``i`` is ``i + 0.5`` (:class:`RandomHorizontalFlip` mirrors in it too).
    ``landmark_rounding='official'`` also
    rounds them as the official code does (``+ 0.5`` then a cast to int16, i.e.
    truncation toward zero) and clamps them to ``[0, size - 1]`` (the official
    training loop's clamp to [0, 255]); by default they stay unrounded floats.

    Required keys: ``img``. Modified keys: ``img``, ``img_shape``, and ``mask`` /
    ``landmarks`` when present.

    Args:
        size (int | tuple[int, int]): output side, or (height, width).
        mask_interpolation (str): ``'nearest'`` or ``'bicubic'`` (official
            hole growth). Defaults to ``'nearest'``.
        landmark_rounding (str, optional): ``None`` (float coordinates) or
            ``'official'`` (round half up by truncation, clamp to the image).
            Defaults to None.
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        mask_interpolation: MaskInterpolation = 'nearest',
        landmark_rounding: str | None = None,
    ) -> None:
        out = (size, size) if isinstance(size, int) else tuple(size)
        if len(out) != 2 or min(out) <= 0:
            raise ConfigError(
                f'CenterCropResize: size must be a positive int or (h, w), got {size}'
            )
        if mask_interpolation not in ('nearest', 'bicubic'):
            raise ConfigError(
                "CenterCropResize: mask_interpolation must be 'nearest' or "
                f"'bicubic', got {mask_interpolation!r}"
            )
        if landmark_rounding not in LANDMARK_ROUNDINGS:
            raise ConfigError(
                f'CenterCropResize: landmark_rounding must be one of '
                f'{LANDMARK_ROUNDINGS}, got {landmark_rounding!r}'
            )
        self.size = (int(out[0]), int(out[1]))
        self.mask_interpolation = mask_interpolation
        self.landmark_rounding = landmark_rounding

    def transform(self, results: dict) -> dict:
        """Crop and resize ``img`` (and ``mask``, ``landmarks``)."""
        img = results['img']
        height, width = img.shape[:2]
        top, left, side = center_crop_box(height, width)
        results['img'] = resize_image(
            img[top : top + side, left : left + side], self.size
        )
        results['img_shape'] = self.size
        mask = results.get('mask')
        if mask is not None:
            if mask.shape[:2] != (height, width):
                raise ConfigError(
                    f'CenterCropResize: mask size {mask.shape[:2]} differs from '
                    f'image size {(height, width)}; resize it first (LoadMask '
                    'resize=True) or place the mask source after this transform'
                )
            results['mask'] = resize_mask(
                mask[top : top + side, left : left + side],
                self.size,
                self.mask_interpolation,
            )
        if results.get('landmarks') is not None:
            pts = np.asarray(results['landmarks'], dtype=np.float32).reshape(-1, 2)
            scale = np.array([self.size[1] / side, self.size[0] / side], np.float32)
            pts = (pts - np.array([left, top], np.float32)) * scale
            if self.landmark_rounding == 'official':
                # official: (v * 256 / side + 0.5).astype(int16), clamped to [0, 255]
                pts = np.trunc(pts + np.float32(0.5))
                high = np.array([self.size[1] - 1, self.size[0] - 1], np.float32)
                pts = np.clip(pts, 0, high)
            results['landmarks'] = pts.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(size={self.size}, '
            f'mask_interpolation={self.mask_interpolation!r}, '
            f'landmark_rounding={self.landmark_rounding!r})'
        )


def _crop_keys(results: dict, top: int, left: int, h: int, w: int) -> None:
    results['img'] = results['img'][top : top + h, left : left + w]
    if results.get('mask') is not None:
        results['mask'] = results['mask'][top : top + h, left : left + w]
    if results.get('landmarks') is not None:
        pts = np.asarray(results['landmarks'], dtype=np.float32).reshape(-1, 2)
        results['landmarks'] = pts - np.array([left, top], dtype=np.float32)
    results['img_shape'] = (h, w)


@TRANSFORMS.register_module()
class RandomCrop(BaseTransform):
    """Random ``size`` crop of the image and, when present, mask and landmarks.

    The official recipes use no augmentation; this is for custom training sets
    whose images are larger than the training size. Randomness comes from numpy's
    global RNG (seeded by MMEngine per worker, so resume replays it).

    Required keys: ``img``. Modified keys: ``img``, ``img_shape``, and ``mask`` /
    ``landmarks`` when present (landmarks are shifted, not clipped).

    Args:
        size (int | tuple[int, int]): output side, or (height, width); the image
            must be at least this large.
    """

    def __init__(self, size: int | tuple[int, int]) -> None:
        self.size = crop_size(size, 'RandomCrop')

    def transform(self, results: dict) -> dict:
        """Crop ``results`` in place and return it."""
        h, w = results['img'].shape[:2]
        ch, cw = self.size
        if h < ch or w < cw:
            raise ValueError(
                f'RandomCrop: image {results.get("img_path", "")} of size {h}x{w} is '
                f'smaller than the crop {ch}x{cw}; resize it first (CenterCropResize)'
            )
        top, left = random_crop_origin(h, w, ch, cw)
        _crop_keys(results, top, left, ch, cw)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size={self.size})'


@TRANSFORMS.register_module()
class RandomHorizontalFlip(BaseTransform):
    """Flip image, mask and landmarks left-right with probability ``prob``.

    Landmark x becomes ``W - x``: the mirror in the pixel-corner convention of
    :class:`CenterCropResize` (x = 0 is the left edge of the image, x = W its
    right edge; the centre ``i + 0.5`` of column ``i`` goes to ``W - i - 0.5``,
    the centre of column ``W - 1 - i``, where the image flip puts that column).
    So a flip before or after :class:`CenterCropResize` gives the same
    landmarks — for unrounded (float) landmarks: put the flip before a
    ``CenterCropResize(landmark_rounding='official')``, whose whole-pixel values
    in ``[0, size - 1]`` a corner-convention mirror would take to ``[1, size]``.
    Mirroring turns the subject's left eye into a right eye, so for face
    landmarks the point order must be swapped too:
    ``flip_pairs`` lists the index pairs that swap (``'face68'`` names
    :data:`inpaintzoo.datasets.face_landmarks.FLIP_PAIRS_68`). Without
    ``flip_pairs`` the points move but keep their index. Randomness: numpy's
    global RNG.

    Args:
        prob (float): flip probability. Defaults to 0.5.
        flip_pairs (str | Sequence[tuple[int, int]], optional): a named set
            (``'face68'``) or landmark index pairs swapped by a flip. Defaults to
            None (no reordering).
    """

    def __init__(
        self,
        prob: float = 0.5,
        flip_pairs: str | Sequence[Sequence[int]] | None = None,
    ) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ConfigError(
                f'RandomHorizontalFlip: prob must be in [0, 1], got {prob}'
            )
        self.prob = prob
        self.flip_pairs_name = flip_pairs if isinstance(flip_pairs, str) else None
        if isinstance(flip_pairs, str):
            if flip_pairs not in NAMED_FLIP_PAIRS:
                raise ConfigError(
                    f'RandomHorizontalFlip: unknown flip_pairs {flip_pairs!r}; named '
                    f'sets: {sorted(NAMED_FLIP_PAIRS)}, or give a list of index pairs'
                )
            flip_pairs = NAMED_FLIP_PAIRS[flip_pairs]
        self.flip_pairs = [tuple(p) for p in flip_pairs] if flip_pairs else []
        if any(len(p) != 2 for p in self.flip_pairs):
            raise ConfigError(
                f'RandomHorizontalFlip: flip_pairs must be pairs of indices, got '
                f'{flip_pairs!r}'
            )

    def transform(self, results: dict) -> dict:
        """Flip ``results`` in place (or not) and return it."""
        if np.random.rand() >= self.prob:  # noqa: NPY002
            return results
        results['img'] = np.ascontiguousarray(results['img'][:, ::-1])
        if results.get('mask') is not None:
            results['mask'] = np.ascontiguousarray(results['mask'][:, ::-1])
        lms = results.get('landmarks')
        if lms is not None:
            lms = np.array(lms, dtype=np.float32, copy=True)
            lms[:, 0] = results['img'].shape[1] - lms[:, 0]  # corner convention
            if self.flip_pairs:
                top = max(max(p) for p in self.flip_pairs)
                if top >= len(lms):
                    raise ConfigError(
                        f'RandomHorizontalFlip: flip_pairs index {top} but the '
                        f'landmarks of {results.get("img_path")} have {len(lms)} '
                        'points'
                    )
                lms = lms[flip_permutation(tuple(self.flip_pairs), len(lms))]
            results['landmarks'] = lms
        return results

    def __repr__(self) -> str:
        pairs = self.flip_pairs_name or (self.flip_pairs or None)
        return f'{type(self).__name__}(prob={self.prob}, flip_pairs={pairs!r})'
