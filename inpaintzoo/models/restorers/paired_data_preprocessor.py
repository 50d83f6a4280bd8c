"""Batch, move and scale a degraded / clean image pair."""

import torch
from mmengine.model import BaseDataPreprocessor

from inpaintzoo.models.data_preprocessors.inpaint_data_preprocessor import _stack
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError, InvalidImageError


def _check_batch(img: torch.Tensor, key: str, scale: float) -> None:
    """Refuse a batch that is not (N, 3, H, W), or holds NaN/Inf or far-off values."""
    if img.dim() != 4 or img.shape[1] != 3:
        raise InvalidImageError(
            f"data['inputs']['{key}'] must be (3, H, W) RGB tensors (channels first, "
            f'as PackRestorationInputs packs them), got a batch of shape '
            f'{tuple(img.shape)}'
        )
    if not bool(torch.isfinite(img).all()):
        raise InvalidImageError(f"data['inputs']['{key}'] holds NaN/Inf values")
    lo, hi = (float(v) for v in torch.aminmax(img))
    if lo < -0.5 or hi > 1.5:
        raise InvalidImageError(
            f"data['inputs']['{key}'] divided by scale={scale:g} spans "
            f'[{lo:.4g}, {hi:.4g}], expected [0, 1]: set the preprocessor scale to '
            "the images' maximum (255 for uint8)"
        )


@MODELS.register_module()
class PairedDataPreprocessor(BaseDataPreprocessor):
    """Stack the degraded input and (when present) its clean target.

    Input ``data['inputs']``: ``img`` list of (3, H, W) uint8 RGB tensors (the
    degraded, e.g. blurred, images) or one (N, 3, H, W) tensor; optional ``gt``
    of the same form (the clean targets; absent at inference).

    Output ``inputs``: ``img`` (N, 3, H, W) float in [0, 1] (``uint8 / scale``)
    and, when given, ``gt`` (N, 3, H, W) float in [0, 1] of the same shape.

    Args:
        scale (float): images are divided by this. Defaults to 255.
        dtype (str): ``'float32'`` or ``'float64'``. Defaults to ``'float32'``.

    Raises:
        InvalidImageError: an empty batch, images that are not (3, H, W), NaN/Inf,
            values far outside [0, 1] after scaling, or a ``gt`` whose shape
            differs from ``img``'s (both shapes named).
    """

    def __init__(self, scale: float = 255.0, dtype: str = 'float32') -> None:
        super().__init__()
        if dtype not in ('float32', 'float64'):
            raise ConfigError(
                "model.data_preprocessor.dtype must be 'float32' or 'float64', got "
                f'{dtype!r}'
            )
        self.scale = float(scale)
        self.dtype = getattr(torch, dtype)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Cast ``data`` to the device and build batched float tensors."""
        data = self.cast_data(data)
        raw = data['inputs']
        inputs = {}
        for key in ('img', 'gt'):
            if raw.get(key) is None:
                continue
            batch = _stack(raw[key], key).to(self.dtype) / self.scale
            _check_batch(batch, key, self.scale)
            inputs[key] = batch
        if 'img' not in inputs:
            raise InvalidImageError(
                "data['inputs'] has no 'img' (the degraded image); pack the pipeline "
                'with PackRestorationInputs'
            )
        if 'gt' in inputs and inputs['gt'].shape != inputs['img'].shape:
            raise InvalidImageError(
                f"data['inputs']['gt'] has shape {tuple(inputs['gt'].shape)} but "
                f"'img' has {tuple(inputs['img'].shape)}; pairs must be the same size"
            )
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
