"""Transforms of degraded / clean image pairs (restoration): load, crop, flip, pack.

Results keys: ``img`` (H, W, 3) uint8 RGB, the degraded input; ``gt`` (H, W, 3)
uint8 RGB, the clean target. Geometric transforms apply the *same* random
parameters to both, so a pair stays aligned pixel for pixel.
"""

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.transforms.functional import crop_size, random_crop_origin
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.structures.inpaint_sample import InpaintSample
from inpaintzoo.utils.errors import ConfigError, InvalidImageError
from inpaintzoo.utils.image_io import read_image

#: ``stem`` (the dataset's unique name of the pair) names saved results and CSV rows
PAIRED_META_KEYS: tuple[str, ...] = (
    'img_path',
    'gt_path',
    'stem',
    'ori_shape',
    'img_shape',
    'sample_idx',
)


def _pair_keys(results: dict) -> list[str]:
    keys = [k for k in ('img', 'gt') if results.get(k) is not None]
    if not keys:
        raise ConfigError(
            "paired transform: results hold neither 'img' nor 'gt'; put "
            'LoadPairedImages first'
        )
    return keys


def check_same_size(results: dict, where: str) -> tuple[int, int]:
    """(H, W) of the pair; raise when ``img`` and ``gt`` differ in size.

    Raises:
        InvalidImageError: naming both files and both sizes.
    """
    keys = _pair_keys(results)
    sizes = {k: tuple(results[k].shape[:2]) for k in keys}
    if len(set(sizes.values())) > 1:
        raise InvalidImageError(
            f'{where}: degraded image {results.get("img_path")} is '
            f'{sizes["img"][0]}x{sizes["img"][1]} but clean image '
            f'{results.get("gt_path")} is {sizes["gt"][0]}x{sizes["gt"][1]} (H x W); '
            'a pair must have one size'
        )
    return sizes[keys[0]]


@TRANSFORMS.register_module()
class LoadPairedImages(BaseTransform):
    """Read ``img_path`` (degraded, may be None) and ``gt_path`` (clean) as RGB.

    Uses :func:`inpaintzoo.utils.image_io.read_image` (the reader of the whole
    zoo). Added keys: ``img`` (when ``img_path`` is set), ``gt``, ``ori_shape``
    and ``img_shape`` (H, W).

    Raises:
        ImageReadError: a missing or unreadable file (named).
        InvalidImageError: the two images differ in size (both named).
    """

    def transform(self, results: dict) -> dict:
        """Load the pair into ``results``."""
        if results.get('gt_path'):
            results['gt'] = read_image(results['gt_path'])
        if results.get('img_path'):
            results['img'] = read_image(results['img_path'])
        shape = check_same_size(results, 'LoadPairedImages')
        results['ori_shape'] = shape
        results['img_shape'] = shape
        return results


@TRANSFORMS.register_module()
class PairedRandomCrop(BaseTransform):
    """The same random ``size`` crop of ``img`` and ``gt``.

    Randomness: numpy's global RNG (seeded by MMEngine per worker).

    Args:
        size (int | tuple[int, int]): crop side or (height, width).

    Raises:
        InvalidImageError: the pair differs in size, or is smaller than the crop.
    """

    def __init__(self, size: int | tuple[int, int]) -> None:
        self.size = crop_size(size, 'PairedRandomCrop')

    def transform(self, results: dict) -> dict:
        """Crop both images in place and return ``results``."""
        h, w = check_same_size(results, 'PairedRandomCrop')
        ch, cw = self.size
        if h < ch or w < cw:
            raise InvalidImageError(
                f'PairedRandomCrop: image {results.get("gt_path")} of size {h}x{w} '
                f'is smaller than the crop {ch}x{cw}'
            )
        top, left = random_crop_origin(h, w, ch, cw)
        for key in _pair_keys(results):
            results[key] = results[key][top : top + ch, left : left + cw]
        results['img_shape'] = (ch, cw)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size={self.size})'


@TRANSFORMS.register_module()
class PairedRandomFlip(BaseTransform):
    """Flip ``img`` and ``gt`` together: left-right and/or up-down.

    Args:
        horizontal (float): probability of a left-right flip. Defaults to 0.5.
        vertical (float): probability of an up-down flip. Defaults to 0.0.
    """

    def __init__(self, horizontal: float = 0.5, vertical: float = 0.0) -> None:
        for name, p in (('horizontal', horizontal), ('vertical', vertical)):
            if not 0.0 <= p <= 1.0:
                raise ConfigError(f'PairedRandomFlip.{name} must be in [0, 1], got {p}')
        self.horizontal, self.vertical = float(horizontal), float(vertical)

    def transform(self, results: dict) -> dict:
        """Flip both images (or not) and return ``results``."""
        check_same_size(results, 'PairedRandomFlip')
        flip_h = np.random.rand() < self.horizontal  # noqa: NPY002
        flip_v = np.random.rand() < self.vertical  # noqa: NPY002
        for key in _pair_keys(results):
            arr = results[key]
            if flip_h:
                arr = arr[:, ::-1]
            if flip_v:
                arr = arr[::-1]
            results[key] = np.ascontiguousarray(arr)
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(horizontal={self.horizontal}, '
            f'vertical={self.vertical})'
        )


@TRANSFORMS.register_module()
class PackRestorationInputs(BaseTransform):
    """Last pipeline step of a restoration pipeline.

    Output::

        {'inputs': {'img': uint8 Tensor (3, H, W) degraded,
                    ['gt': uint8 Tensor (3, H, W) clean]},
         'data_samples': InpaintSample(metainfo={img_path, gt_path, stem,
                    ori_shape, img_shape, sample_idx})}

    Args:
        meta_keys (tuple[str, ...], optional): result keys copied into the
            sample's metainfo. Defaults to :data:`PAIRED_META_KEYS`.

    Raises:
        ConfigError: no ``img`` (nothing loaded or synthesised), or an image that
            is not (H, W, 3) uint8.
        InvalidImageError: the pair differs in size.
    """

    def __init__(self, meta_keys: tuple[str, ...] | None = None) -> None:
        self.meta_keys = tuple(meta_keys) if meta_keys is not None else PAIRED_META_KEYS

    def transform(self, results: dict) -> dict:
        """Pack ``img`` (and ``gt``) and the meta keys."""
        if results.get('img') is None:
            raise ConfigError(
                "PackRestorationInputs: results has no 'img' (degraded image); load "
                'it with LoadPairedImages or synthesise it (RandomMotionBlur)'
            )
        check_same_size(results, 'PackRestorationInputs')
        inputs = {}
        for key in _pair_keys(results):
            arr = np.asarray(results[key])
            if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
                raise ConfigError(
                    f'PackRestorationInputs: {key} must be (H, W, 3) uint8, got '
                    f'{arr.shape} {arr.dtype}'
                )
            inputs[key] = torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
        metainfo = {key: results.get(key) for key in self.meta_keys}
        if 'img_path' in metainfo and metainfo['img_path'] is None:
            # a degraded image synthesised from the clean one (RandomMotionBlur):
            # name the sample by its source file (saved results are named by it)
            metainfo['img_path'] = results.get('gt_path')
        for key in ('ori_shape', 'img_shape'):
            if metainfo.get(key) is not None:
                metainfo[key] = tuple(int(v) for v in metainfo[key])
        return {'inputs': inputs, 'data_samples': InpaintSample(metainfo=metainfo)}

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
