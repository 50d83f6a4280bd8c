"""Batch, move and scale what the pipeline packed."""

from typing import Any

import torch
from mmengine.model import BaseDataPreprocessor

from inpaintzoo.models.backbones.input_checks import check_image_tensor
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError, InvalidImageError


def _stack(items: Any, key: str) -> torch.Tensor:
    """Batch a list of (C, H, W) tensors, or pass an (N, C, H, W) tensor through.

    A single (C, H, W) tensor becomes a batch of one.
    """
    if torch.is_tensor(items):
        return items if items.dim() == 4 else items.unsqueeze(0)
    items = list(items)
    if not items:
        raise InvalidImageError(
            f"data['inputs']['{key}'] is an empty batch; the dataloader must yield "
            'at least one sample'
        )
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

    The batch is checked (:func:`check_image_tensor`): an empty batch, images that
    are not (3, H, W) channels-first, NaN/Inf in known pixels, raw values well
    outside [0, ``scale``] (e.g. 16-bit images with ``scale=255``) and bad masks
    raise a clear error. Hole pixels may hold anything; the inpaintor replaces
    them.

    Args:
        scale (float): images are divided by this. Defaults to 255.
        dtype (str): ``'float32'`` or ``'float64'``: dtype of the output tensors,
            applied before the division (``'float64'`` for a float64 model, e.g.
            the official train-step check). Defaults to ``'float32'``.
    """

    def __init__(self, scale: float = 255.0, dtype: str = 'float32') -> None:
        super().__init__()
        self.scale = scale
        if dtype not in ('float32', 'float64'):
            raise ConfigError(
                "model.data_preprocessor.dtype must be 'float32' or 'float64', got "
                f'{dtype!r}'
            )
        self.dtype = getattr(torch, dtype)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Cast ``data`` to the device and build batched float tensors."""
        data = self.cast_data(data)
        raw = data['inputs']
        img = _stack(raw['img'], 'img').to(self.dtype) / self.scale
        mask = _stack(raw['mask'], 'mask').to(self.dtype)
        if img.dim() != 4 or img.shape[1] != 3:
            raise InvalidImageError(
                f"data['inputs']['img'] must be (3, H, W) RGB tensors (channels "
                f'first, as PackInpaintInputs packs them), got a batch of shape '
                f'{tuple(img.shape)}'
            )
        check_image_tensor(
            img, mask, source=f"data['inputs']['img'] divided by scale={self.scale:g}"
        )
        inputs = dict(img=img, mask=mask)
        if raw.get('landmarks') is not None:
            inputs['landmarks'] = _stack(raw['landmarks'], 'landmarks').to(self.dtype)
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
