"""Pack the results dict into the model's ``inputs`` and ``data_samples``."""

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from inpaintzoo.registry import TRANSFORMS
from inpaintzoo.structures.inpaint_sample import InpaintSample
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError

META_KEYS: tuple[str, ...] = (
    'img_path',
    'mask_path',
    'mask_bucket',
    'ori_shape',
    'img_shape',
    'sample_idx',
)


@TRANSFORMS.register_module()
class PackInpaintInputs(BaseTransform):
    """Last pipeline step: tensors for the model plus an :class:`InpaintSample`.

    Output::

        {'inputs': {'img': uint8 Tensor (3, H, W) RGB,
                    'mask': float32 Tensor (1, H, W) in {0, 1}, 1 = hole,
                    ['landmarks': float32 Tensor (K, 2) pixel (x, y)]},
         'data_samples': InpaintSample(metainfo={img_path, mask_path,
                    mask_bucket, ori_shape, img_shape, sample_idx,
                    [landmark_path]}, [landmarks=(K, 2) float32])}

    With ``landmarks`` in the results (``LoadLandmarks``), the points are packed
    twice: into ``inputs['landmarks']`` for the model (the training target) and
    as the sample's ground-truth field ``landmarks``, which travels through the
    model's predict mode to the metrics (``LandmarkNME`` compares it with
    ``pred_landmarks``). ``landmark_path`` is added to the metainfo when set.

    Required keys: ``img`` (H, W, 3) uint8, ``mask`` (H, W) float32.

    Args:
        meta_keys (tuple[str, ...], optional): result keys copied into the
            sample's metainfo (missing ones become None). Defaults to
            :data:`META_KEYS`.
    """

    def __init__(self, meta_keys: tuple[str, ...] | None = None) -> None:
        self.meta_keys = tuple(meta_keys) if meta_keys is not None else META_KEYS

    def transform(self, results: dict) -> dict:
        """Pack ``img``, ``mask`` (and ``landmarks``) and the meta keys."""
        for key in ('img', 'mask'):
            if results.get(key) is None:
                raise ConfigError(
                    f'PackInpaintInputs: results has no {key!r}; the pipeline needs '
                    'a loading transform and a mask source before packing'
                )
        img = np.asarray(results['img'])
        mask = np.asarray(results['mask'], dtype=np.float32)
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ConfigError(
                'PackInpaintInputs: img must be (H, W, 3) uint8, got '
                f'{img.shape} {img.dtype}'
            )
        if mask.shape != img.shape[:2]:
            raise InvalidMaskError(
                f'mask of size {mask.shape} does not match image of size '
                f'{img.shape[:2]} ({results.get("img_path")})'
            )
        inputs = {
            'img': torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))),
            'mask': torch.from_numpy(np.ascontiguousarray(mask[None])),
        }
        pts = None
        if results.get('landmarks') is not None:
            pts = np.asarray(results['landmarks'], dtype=np.float32).reshape(-1, 2)
            inputs['landmarks'] = torch.from_numpy(pts.copy())
        metainfo = {key: results.get(key) for key in self.meta_keys}
        for key in ('ori_shape', 'img_shape'):
            if metainfo.get(key) is not None:
                metainfo[key] = tuple(int(v) for v in metainfo[key])
        if results.get('landmark_path') is not None:
            metainfo.setdefault('landmark_path', results['landmark_path'])
        sample = InpaintSample(metainfo=metainfo)
        if pts is not None:
            sample.landmarks = torch.from_numpy(pts.copy())
        return {'inputs': inputs, 'data_samples': sample}

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
