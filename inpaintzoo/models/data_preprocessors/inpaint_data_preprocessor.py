"""Batch, move and scale what the pipeline packed."""

from typing import Any

import torch
from mmengine.model import BaseDataPreprocessor

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.mask import check_mask_tensor


def _stack(items: Any, key: str) -> torch.Tensor:
    if torch.is_tensor(items):
        return items if items.dim() == 4 else items.unsqueeze(0)
    shapes = {tuple(t.shape) for t in items}
    if len(shapes) > 1:
        raise ValueError(
            f"cannot batch '{key}' tensors of different shapes {sorted(shapes)}; "
            'resize/crop in the pipeline or use batch_size=1'
        )
    return torch.stack(list(items))


@MODELS.register_module()
class InpaintDataPreprocessor(BaseDataPreprocessor):
    """Stack images and masks, move them to the model's device, scale images.

    Input ``data['inputs']``: ``img`` list of (3, H, W) uint8 RGB tensors (or one
    (N, 3, H, W) tensor), ``mask`` list of (1, H, W) float tensors, 1 = hole,
    optional ``landmarks`` list of (K, 2) float tensors.

    Output ``inputs``: ``img`` (N, 3, H, W) float32 in [0, 1] (``uint8 / 255``, as
    the official ``to_tensor``), ``mask`` (N, 1, H, W) float32 in {0, 1},
    ``landmarks`` (N, K, 2) when given.

    Args:
        scale (float): images are divided by this. Defaults to 255.
    """

    def __init__(self, scale: float = 255.0):
        super().__init__()
        self.scale = scale

    def forward(self, data: dict, training: bool = False) -> dict:
        """Cast ``data`` to the device and build batched float tensors."""
        data = self.cast_data(data)
        raw = data['inputs']
        img = _stack(raw['img'], 'img').float() / self.scale
        mask = _stack(raw['mask'], 'mask').float()
        check_mask_tensor(mask, img)
        inputs = dict(img=img, mask=mask)
        if raw.get('landmarks') is not None:
            inputs['landmarks'] = _stack(raw['landmarks'], 'landmarks').float()
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
