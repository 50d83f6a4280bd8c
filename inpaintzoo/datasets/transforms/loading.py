"""Load the image and the (paired) mask file named in the results dict."""

from mmcv.transforms import BaseTransform

from inpaintzoo.datasets.masks.bucket import mask_bucket
from inpaintzoo.datasets.transforms.functional import MaskInterpolation, resize_mask
from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError
from inpaintzoo.utils.image_io import read_image, read_mask
from inpaintzoo.utils.mask import MaskConvention


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

    Uses the shared reader :func:`inpaintzoo.utils.image_io.read_mask`: a file
    of 0/1 values is recognised as such (scaled to 0/255) before the convention
    and threshold apply.

    Required keys: ``mask_path``, and ``img`` when the size is checked. Added keys:
    ``mask`` (H, W) float32 in {0, 1}; ``mask_bucket`` when not set yet.

    Args:
        convention (str): ``'white_hole'`` (NVIDIA, official repos) or
            ``'black_hole'`` (MAT/LaMa, 255 = known). Defaults to ``'white_hole'``.
        threshold (float): binarisation threshold, see
            :func:`inpaintzoo.utils.mask.binarize_mask`. Defaults to 0.
        resize (bool): resize a mask whose size differs from ``img`` (then
            re-binarise); if False such a mask raises
            :class:`InvalidMaskError`. Defaults to True.
        interpolation (str): ``'nearest'`` or ``'bicubic'`` (the official code's
            resize, which grows holes slightly). Defaults to ``'nearest'``.

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

    def transform(self, results: dict) -> dict:
        """Load the mask into ``results['mask']``."""
        path = results.get('mask_path')
        if not path:
            raise ConfigError(
                'LoadMask needs results["mask_path"]; use a dataset with '
                "mask_source/mask_mode='paired' or a mask source transform "
                '(FreeFormMask, RandomMaskFromFiles, BoxMask) instead'
            )
        mask = read_mask(path, self.convention, self.threshold)
        img = results.get('img')
        if img is not None and mask.shape != img.shape[:2]:
            if not self.resize:
                raise InvalidMaskError(
                    f'mask {path} has size {mask.shape} (H, W) but image '
                    f'{results.get("img_path")} has size {img.shape[:2]}; '
                    'set resize=True to resize the mask'
                )
            mask = resize_mask(mask, img.shape[:2], self.interpolation)
        results['mask'] = mask
        if results.get('mask_bucket') is None:
            results['mask_bucket'] = mask_bucket(mask)
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(convention={self.convention!r}, '
            f'threshold={self.threshold}, resize={self.resize}, '
            f'interpolation={self.interpolation!r})'
        )
