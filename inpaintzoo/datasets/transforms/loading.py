"""Load the image, the (paired) mask and the landmark file named in the results dict."""

import numpy as np
from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.face_landmarks import read_landmarks
from inpaintzoo.datasets.masks.bucket import mask_bucket
from inpaintzoo.datasets.transforms.functional import (
    MaskInterpolation,
    resize_mask,
    resize_mask_values,
)
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError
from inpaintzoo.utils.image_io import read_image
from inpaintzoo.utils.mask import MaskConvention, binarize_mask
from inpaintzoo.utils.mask_io import read_mask, read_mask_values


def _required_path(results: dict, key: str, hint: str) -> str:
    """Return ``results[key]``, a file path a loading transform needs.

    Args:
        results (dict): the transform's results dict.
        key (str): the path key, e.g. ``'mask_path'``.
        hint (str): the whole error message: what needs the key and how to set it.

    Raises:
        ConfigError: ``hint``, when the key is missing or empty.
    """
    path = results.get(key)
    if not path:
        raise ConfigError(hint)
    return path


@TRANSFORMS.register_module()
class LoadImage(BaseTransform):
    """Read ``results['img_path']`` as RGB uint8.

    Uses the shared reader :func:`inpaintzoo.utils.image_io.read_image` (the
    one evaluation and inference use): Pillow decoding like ``imageio`` in the
    official code, EXIF orientation ignored, truncated files refused, grey
    images made RGB, alpha dropped, 16-bit reduced to its high byte.

    Required keys: ``img_path``. Added keys: ``img`` (H, W, 3) uint8 RGB,
    ``ori_shape`` and ``img_shape`` (H, W).

    Raises:
        ImageReadError: naming the path when the file is missing, unreadable,
            truncated or not an image.
    """

    def transform(self, results: dict) -> dict:
        """Load the image into ``results['img']``."""
        img = read_image(results['img_path'])
        results['img'] = img
        results['ori_shape'] = img.shape[:2]
        results['img_shape'] = img.shape[:2]
        return results


@TRANSFORMS.register_module()
class LoadMask(BaseTransform):
    """Read ``results['mask_path']`` and binarise it (1 = hole).

    Uses the shared reader :func:`inpaintzoo.utils.mask_io.read_mask`: a file
    of 0/1 values is recognised as such (scaled to 0/255) before the convention
    and threshold apply. Each model's official test rule (reference-models
    §1.10, mode 6) is a setting: the grey mask is resized first
    (``threshold_after_resize=True``, ``interpolation='bicubic'``), then HINT /
    MxT / SEM-Net take ``threshold=0`` and NCLG-MT ``threshold=100``.

    Required keys: ``mask_path``, and ``img`` when the size is checked. Added keys:
    ``mask`` (H, W) float32 in {0, 1}; ``mask_bucket`` when not set yet.

    Args:
        convention (str): ``'white_hole'`` (NVIDIA, official repos) or
            ``'black_hole'`` (MAT/LaMa, 255 = known). Defaults to ``'white_hole'``.
        threshold (float): binarisation threshold, see
            :func:`inpaintzoo.utils.mask.binarize_mask`. Defaults to 0 (HINT,
            MxT, SEM-Net); NCLG-MT's test uses 100.
        resize (bool): resize a mask whose size differs from ``img`` (then
            re-binarise); if False such a mask raises
            :class:`InvalidMaskError`. Defaults to True.
        interpolation (str): ``'nearest'`` or ``'bicubic'`` (the official code's
            resize, which grows holes slightly). Defaults to ``'nearest'``.
        threshold_after_resize (bool): order of the two steps. False
            (default): binarise at the file's size, then resize the binary mask
            and take ``> 0`` again. True (the official test of every model,
            reference-models §1.10 mode 6; the paper configs set it): resize the
            grey values read from the file, then binarise them with
            ``convention`` and ``threshold``. The grey
            values are those of the shared reader (channels collapsed by
            maximum), which for a grey file, as all NVIDIA and NCLG masks are,
            is the raw value that upstream's ``rgb2gray`` passes through.
            Defaults to False.

    Raises:
        ImageReadError: if the mask file is missing or not an image.
        InvalidMaskError: if the mask is invalid, or of the wrong size with
            ``resize=False``.
    """

    def __init__(
        self,
        convention: MaskConvention = 'white_hole',
        threshold: float = 0,
        resize: bool = True,
        interpolation: MaskInterpolation = 'nearest',
        threshold_after_resize: bool = False,
    ) -> None:
        if convention not in ('white_hole', 'black_hole'):
            raise ConfigError(
                "LoadMask: convention must be 'white_hole' or 'black_hole', "
                f'got {convention!r}'
            )
        if interpolation not in ('nearest', 'bicubic'):
            raise ConfigError(
                "LoadMask: interpolation must be 'nearest' or 'bicubic', "
                f'got {interpolation!r}'
            )
        self.convention = convention
        self.threshold = threshold
        self.resize = resize
        self.interpolation = interpolation
        self.threshold_after_resize = bool(threshold_after_resize)

    def transform(self, results: dict) -> dict:
        """Load the mask into ``results['mask']``."""
        path = _required_path(
            results,
            'mask_path',
            'LoadMask needs results["mask_path"]; use a dataset with '
            "mask_source/mask_mode='paired' or a mask source transform "
            '(FreeFormMask, RandomMaskFromFiles, BoxMask) instead',
        )
        if self.threshold_after_resize:
            values = self._fit(read_mask_values(path), results, path)
            try:
                mask = binarize_mask(values, self.convention, self.threshold)
            except InvalidMaskError as err:
                raise InvalidMaskError(f'{path}: {err}') from err
        else:
            mask = self._fit(
                read_mask(path, self.convention, self.threshold), results, path
            )
        results['mask'] = mask
        if results.get('mask_bucket') is None:
            results['mask_bucket'] = mask_bucket(mask)
        return results

    def _fit(self, arr: np.ndarray, results: dict, path: str) -> np.ndarray:
        """Resize an (H, W) mask to ``results['img']``'s size, or refuse it.

        Args:
            arr (np.ndarray): (H, W) uint8 grey values (``threshold_after_resize``)
                or float32 binary mask.
            results (dict): the transform's results; unchanged if no ``img``.
            path (str): the mask file, for the message.

        Returns:
            np.ndarray: ``arr`` at the image's (H, W), same dtype.
        """
        img = results.get('img')
        if img is None or arr.shape == img.shape[:2]:
            return arr
        if not self.resize:
            raise InvalidMaskError(
                f'mask {path} has size {arr.shape} (H, W) but image '
                f'{results.get("img_path")} has size {img.shape[:2]}; '
                'set resize=True to resize the mask'
            )
        if self.threshold_after_resize:
            return resize_mask_values(arr, img.shape[:2], self.interpolation)
        return resize_mask(arr, img.shape[:2], self.interpolation)

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(convention={self.convention!r}, '
            f'threshold={self.threshold}, resize={self.resize}, '
            f'interpolation={self.interpolation!r}, '
            f'threshold_after_resize={self.threshold_after_resize})'
        )


@TRANSFORMS.register_module()
class LoadLandmarks(BaseTransform):
    """Read ``results['landmark_path']`` (68 face landmarks) into ``landmarks``.

    The file is one line of 136 numbers ``x0 y0 ... x67 y67`` in the pixels of
    the *original* image (:func:`inpaintzoo.datasets.face_landmarks.read_landmarks`),
    so place this transform before the geometric transforms
    (``CenterCropResize``, ``RandomCrop``, ``RandomHorizontalFlip``), which move
    the points with the image.

    Required keys: ``landmark_path`` (set by ``ImageMaskDataset`` with
    ``landmark_source``). Added keys: ``landmarks`` (68, 2) float32 (x, y).

    Raises:
        ConfigError: the results have no ``landmark_path``.
        DataNotFoundError: the file is missing.
        InvalidLandmarksError: the file does not hold 136 finite numbers.
    """

    def transform(self, results: dict) -> dict:
        """Load the landmarks into ``results['landmarks']``."""
        path = _required_path(
            results,
            'landmark_path',
            'LoadLandmarks needs results["landmark_path"]; give ImageMaskDataset '
            "landmark_source='<folder of <image stem>.txt files>'",
        )
        results['landmarks'] = read_landmarks(path)
        return results
