"""Paired image restorer (motion deblurring): degraded -> clean, no mask."""

from typing import Literal

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor, nn

from inpaintzoo.registry import MODELS
from inpaintzoo.structures import InpaintSample
from inpaintzoo.utils.errors import ConfigError, InvalidImageError

ForwardMode = Literal['tensor', 'predict', 'loss']
PAD_MODES = ('reflect', 'replicate', 'constant')


def pad_to_multiple(img: Tensor, divisor: int, mode: str = 'reflect') -> Tensor:
    """Pad (N, C, H, W) at the bottom and right up to multiples of ``divisor``.

    ``'reflect'`` falls back to ``'replicate'`` where the pad is not smaller than
    the side (as :class:`InpaintUNet` does). Crop back with ``out[..., :H, :W]``.

    Returns:
        Tensor: (N, C, ceil(H / d) * d, ceil(W / d) * d); ``img`` itself when no
        padding is needed.
    """
    h, w = img.shape[-2:]
    ph, pw = -h % divisor, -w % divisor
    if ph == 0 and pw == 0:
        return img
    if mode == 'reflect' and (ph >= h or pw >= w):
        mode = 'replicate'
    return F.pad(img, (0, pw, 0, ph), mode=mode)


@MODELS.register_module()
class Restorer(BaseModel):
    """Image restorer: ``out = img + net(img)`` (residual) or ``out = net(img)``.

    The thesis deblurring variant of SEM-Net (§5.4.6) is the residual form with
    the inpainting U-Net at 3 input channels, no mask and a linear output
    (``InpaintUNet(concat_mask=False, output_act='none')``). Any zoo generator
    can be the network: generators of the inpainting slot take ``(img, mask)``
    and get an all-zero mask (nothing is a hole) with ``generator_takes_mask``;
    a plain ``net(img)`` module sets it to False.

    The input is padded (``pad_mode``) at the bottom and right to a multiple of
    ``size_divisor`` and the output cropped back, so any H, W work; sizes that
    are multiples already are not padded.

    Args:
        generator (dict): network config, ``(N, 3, H, W) [, mask] -> (N, 3, H, W)``.
        losses (dict, optional): ``{name: loss cfg}``, each
            ``(pred, gt) -> weighted scalar``, logged as ``loss_<name>``. The
            thesis recipe is ``l1=L1Loss(divide_by_hole_ratio=False)`` and
            ``fft=FFTLoss(loss_weight=0.1)``. Defaults to none (inference only).
        residual (bool): add the input to the network output. Defaults to True.
        generator_takes_mask (bool): call ``net(img, zeros mask)``. Defaults to
            True (every zoo generator).
        size_divisor (int, optional): pad to a multiple of this; defaults to the
            generator's ``stride`` attribute (1 when it has none).
        pad_mode (str): ``'reflect'``, ``'replicate'`` or ``'constant'``.
            Defaults to ``'reflect'``.
        data_preprocessor (dict, optional): defaults to
            ``PairedDataPreprocessor``.
        train_cfg (dict, optional): unused, kept for the config layout.
        test_cfg (dict, optional): unused, kept for the config layout.
        init_cfg (dict, optional): MMEngine init config.

    Raises:
        ConfigError: ``residual=True`` with a generator whose ``output_act`` is
            ``'tanh01'`` (its output is in (0, 1), so ``in + out`` could only
            brighten), or a bad ``pad_mode`` / ``size_divisor``.
    """

    def __init__(
        self,
        generator: dict,
        losses: dict | None = None,
        residual: bool = True,
        generator_takes_mask: bool = True,
        size_divisor: int | None = None,
        pad_mode: str = 'reflect',
        data_preprocessor: dict | None = None,
        train_cfg: dict | None = None,
        test_cfg: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='PairedDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if pad_mode not in PAD_MODES:
            raise ConfigError(
                f'Restorer.pad_mode must be one of {PAD_MODES}, got {pad_mode!r}'
            )
        self.generator = MODELS.build(generator)
        if residual and getattr(self.generator, 'output_act', None) == 'tanh01':
            raise ConfigError(
                f'Restorer(residual=True) with {type(self.generator).__name__}'
                "(output_act='tanh01'): a (0, 1) output added to the input can only "
                "brighten it; set model.generator.output_act='none' (linear output), "
                'or residual=False'
            )
        divisor = size_divisor or int(getattr(self.generator, 'stride', 1) or 1)
        if int(divisor) < 1:
            raise ConfigError(f'Restorer.size_divisor must be >= 1, got {divisor!r}')
        self.size_divisor = int(divisor)
        self.residual = bool(residual)
        self.generator_takes_mask = bool(generator_takes_mask)
        self.pad_mode = pad_mode
        self.losses = nn.ModuleDict(
            {name: MODELS.build(cfg) for name, cfg in (losses or {}).items()}
        )
        self.train_cfg = dict(train_cfg or {})
        self.test_cfg = dict(test_cfg or {})

    def restore_tensor(self, img: Tensor) -> Tensor:
        """Run the network on a batch of any size.

        Args:
            img (Tensor): (N, 3, H, W) float, the degraded images in [0, 1].

        Returns:
            Tensor: (N, 3, H, W) restored images, not clamped (the loss sees the
            raw values; :meth:`forward` in ``'predict'`` mode clamps).

        Raises:
            InvalidImageError: ``img`` is not an (N >= 1, 3, H, W) float tensor.
        """
        if not torch.is_tensor(img) or img.dim() != 4 or img.shape[0] == 0:
            shape = tuple(img.shape) if torch.is_tensor(img) else type(img).__name__
            raise InvalidImageError(
                f'Restorer input must be an (N, 3, H, W) float tensor, got {shape}'
            )
        if not img.is_floating_point():
            raise InvalidImageError(
                f'Restorer input has dtype {img.dtype}; divide uint8 images by 255 '
                '(PairedDataPreprocessor does this)'
            )
        h, w = img.shape[-2:]
        x = pad_to_multiple(img, self.size_divisor, self.pad_mode)
        if self.generator_takes_mask:
            zeros = x.new_zeros(x.shape[0], 1, *x.shape[-2:])
            out = self.generator(x, zeros)
        else:
            out = self.generator(x)
        out = getattr(out, 'image', out)  # generators returning a named tuple
        if out.shape != x.shape:
            raise InvalidImageError(
                f'{type(self.generator).__name__} returned {tuple(out.shape)} for an '
                f'input of {tuple(x.shape)}; a restorer needs out_channels=3 and the '
                'input size'
            )
        if self.residual:
            out = x + out
        return out[..., :h, :w]

    def forward(
        self,
        inputs: dict,
        data_samples: list[InpaintSample] | None = None,
        mode: ForwardMode = 'tensor',
    ) -> Tensor | list[InpaintSample] | dict:
        """Run in one of MMEngine's modes.

        Args:
            inputs (dict): ``img`` (N, 3, H, W) degraded images in [0, 1] and,
                for ``'loss'`` (and scored ``'predict'``), ``gt`` (N, 3, H, W).
            data_samples (list[InpaintSample], optional): per-sample metainfo.
            mode (str): ``'tensor'`` returns the (N, 3, H, W) output (unclamped);
                ``'predict'`` returns samples with ``pred_img`` (clamped to
                [0, 1]), ``input_img`` and ``gt_img`` (when given) on the CPU;
                ``'loss'`` returns ``{'loss_<name>': scalar}``.
        """
        img = inputs['img']
        out = self.restore_tensor(img)
        if mode == 'tensor':
            return out
        if mode == 'predict':
            return self.pack_predictions(out, img, inputs.get('gt'), data_samples)
        if mode == 'loss':
            gt = inputs.get('gt')
            if gt is None:
                raise InvalidImageError(
                    "Restorer 'loss' mode needs inputs['gt'] (the clean images); "
                    'use a paired dataset or RandomMotionBlur in the pipeline'
                )
            return {f'loss_{name}': loss(out, gt) for name, loss in self.losses.items()}
        raise ValueError(f"mode must be 'tensor', 'predict' or 'loss', got {mode!r}")

    @staticmethod
    def pack_predictions(
        out: Tensor,
        img: Tensor,
        gt: Tensor | None,
        data_samples: list[InpaintSample] | None,
    ) -> list[InpaintSample]:
        """Attach ``pred_img`` (clamped), ``input_img`` and ``gt_img`` to samples."""
        if data_samples is None:
            data_samples = [InpaintSample() for _ in range(img.shape[0])]
        pred = out.detach().float().clamp(0, 1).cpu()
        inp = img.detach().float().cpu()
        gts = gt.detach().float().cpu() if gt is not None else None
        for i, sample in enumerate(data_samples):
            fields = dict(pred_img=pred[i], input_img=inp[i])
            if gts is not None:
                fields['gt_img'] = gts[i]
            sample.set_data(fields)
        return data_samples

    @torch.no_grad()
    def restore(self, img: Tensor) -> Tensor:
        """Restore a batch or one image (no gradients).

        Args:
            img (Tensor): (N, 3, H, W) or (3, H, W); float in [0, 1] or uint8.

        Returns:
            Tensor: same shape; float clamped to [0, 1], or uint8 (rounded) for a
            uint8 input.
        """
        single = torch.is_tensor(img) and img.dim() == 3
        is_uint8 = torch.is_tensor(img) and img.dtype == torch.uint8
        if single:
            img = img[None]
        if is_uint8:
            img = img.float() / 255
        out = self.restore_tensor(img).clamp(0, 1)
        if is_uint8:
            out = (out * 255).round().to(torch.uint8)
        return out[0] if single else out
