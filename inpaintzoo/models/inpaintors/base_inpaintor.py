"""One-stage inpaintor: a generator trained with pixel-space losses."""

from typing import Any, Literal

import torch
from mmengine.model import BaseModel
from torch import Tensor, nn

from inpaintzoo.models.backbones.input_checks import check_image_tensor, fill_holes
from inpaintzoo.registry import MODELS
from inpaintzoo.structures import InpaintSample
from inpaintzoo.utils.dtypes import at_least_float32
from inpaintzoo.utils.errors import ConfigError

ForwardMode = Literal['tensor', 'predict', 'loss']


def composite(out: Tensor, img: Tensor, mask: Tensor) -> Tensor:
    """Prediction inside the hole, input outside (``torch.where``, not a blend).

    Equal to ``out * mask + img * (1 - mask)`` for a binary mask, but whatever the
    hole pixels of ``img`` hold (NaN, Inf) cannot leak into the result.

    Args:
        out (Tensor): (N, 3, H, W) generator output in [0, 1].
        img (Tensor): (N, 3, H, W) input image in [0, 1].
        mask (Tensor): (N, 1, H, W), 1 = hole.

    Returns:
        Tensor: (N, 3, H, W).
    """
    return torch.where(mask > 0.5, out, img)


@MODELS.register_module()
class BaseInpaintor(BaseModel):
    """Inpaintor with a generator and a dict of generator losses (no adversary).

    Args:
        generator (dict): config of a generator mapping ``(img (N, 3, H, W) in
            [0, 1], mask (N, 1, H, W), 1 = hole) -> raw output (N, 3, H, W) in
            [0, 1]``; the generator fills holes itself.
        losses (dict, optional): ``{name: loss cfg}``; each loss maps
            ``(pred, gt, mask) -> weighted scalar`` and is logged as
            ``loss_<name>``. Defaults to no loss (inference only).
        data_preprocessor (dict, optional): defaults to
            ``InpaintDataPreprocessor``.
        train_cfg (dict, optional): training knobs; here ``generator_autocast``
            (bool, default True): under mixed precision (an ``AmpOptimWrapper``'s
            autocast) a training forward of the generator runs in autocast;
            False runs it in float32 with autocast off while the losses and the
            discriminator stay in autocast (the official MxT / SEM-Net AMP loop).
            Subclasses add their own keys.
        test_cfg (dict, optional): unused, reserved for test-time options.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(
        self,
        generator: dict,
        losses: dict | None = None,
        data_preprocessor: dict | None = None,
        train_cfg: dict | None = None,
        test_cfg: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='InpaintDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.generator = MODELS.build(generator)
        self.losses = nn.ModuleDict(
            {name: MODELS.build(cfg) for name, cfg in (losses or {}).items()}
        )
        self.train_cfg = dict(train_cfg or {})
        self.test_cfg = dict(test_cfg or {})
        self.generator_autocast = self.train_cfg.get('generator_autocast', True)
        if not isinstance(self.generator_autocast, bool):
            raise ConfigError(
                'model.train_cfg.generator_autocast must be True or False, got '
                f'{self.generator_autocast!r}'
            )

    def run_generator(self, img: Tensor, mask: Tensor) -> Any:
        """Call the generator, outside autocast when training asks for it.

        Args:
            img (Tensor): (N, 3, H, W) hole-filled input.
            mask (Tensor): (N, 1, H, W), 1 = hole.

        Returns:
            Any: what the generator returns (a tensor, or NCLG-MT's tuple).
        """
        if self.training and not self.generator_autocast:
            with torch.autocast(device_type=img.device.type, enabled=False):
                return self.generator(at_least_float32(img), at_least_float32(mask))
        return self.generator(img, mask)

    def generate(self, img: Tensor, mask: Tensor) -> Tensor:
        """Check the inputs, zero the holes and run the generator.

        Args:
            img (Tensor): (N, 3, H, W) float in [0, 1]; hole pixels may hold
                anything (NaN and Inf included): they are replaced by 0 before the
                generator sees them.
            mask (Tensor): (N, 1, H, W) in {0, 1}, 1 = hole.

        Returns:
            Tensor: (N, 3, H, W) raw output in [0, 1].

        Raises:
            InvalidImageError: ``img`` is not (N >= 1, C, H, W) float, has NaN/Inf
                in known pixels or known pixels outside [0, 1] (± 0.5).
            InvalidMaskError: bad mask.
        """
        check_image_tensor(img, mask, source='model input img')
        return self.run_generator(fill_holes(img, mask, 0.0), mask)

    def generator_losses(self, out: Tensor, gt: Tensor, mask: Tensor) -> dict:
        """Weighted generator losses ``{'loss_<name>': scalar}`` (no adversarial)."""
        return {
            f'loss_{name}': loss(out, gt, mask) for name, loss in self.losses.items()
        }

    def forward(
        self,
        inputs: dict,
        data_samples: list[InpaintSample] | None = None,
        mode: ForwardMode = 'tensor',
    ) -> Tensor | list[InpaintSample] | dict:
        """Run in one of MMEngine's modes.

        Args:
            inputs (dict): ``img`` (N, 3, H, W) in [0, 1] and ``mask``
                (N, 1, H, W), 1 = hole (the preprocessor's output).
            data_samples (list[InpaintSample], optional): per-sample metainfo.
            mode (str): ``'tensor'`` returns the composite (N, 3, H, W);
                ``'predict'`` returns samples with ``pred_img`` (composite),
                ``raw_img``, ``gt_img`` and ``mask`` on the CPU; ``'loss'``
                returns the generator loss dict.
        """
        img, mask = inputs['img'], inputs['mask']
        out = self.generate(img, mask)
        if mode == 'tensor':
            return composite(out, img, mask)
        if mode == 'predict':
            return self.pack_predictions(out, img, mask, data_samples)
        if mode == 'loss':
            return self.generator_losses(out, img, mask)
        raise ValueError(f"mode must be 'tensor', 'predict' or 'loss', got {mode!r}")

    @staticmethod
    def pack_predictions(
        out: Tensor,
        img: Tensor,
        mask: Tensor,
        data_samples: list[InpaintSample] | None,
    ) -> list[InpaintSample]:
        """Attach composite, raw output, ground truth and mask to each sample."""
        if data_samples is None:
            data_samples = [InpaintSample() for _ in range(img.shape[0])]
        comp = composite(out, img, mask).detach().float().cpu()
        out, img, mask = (t.detach().float().cpu() for t in (out, img, mask))
        for i, sample in enumerate(data_samples):
            sample.set_data(
                dict(pred_img=comp[i], raw_img=out[i], gt_img=img[i], mask=mask[i])
            )
        return data_samples

    @torch.no_grad()
    def inpaint(self, img: Tensor, mask: Tensor) -> Tensor:
        """Composite inpainting result for a batch (no gradients).

        A uint8 image (values 0..255) is divided by 255 and the composite is
        returned as uint8 (rounded); a bool or uint8 0/255 mask is mapped to
        {0, 1}. A single (3, H, W) image with a (1, H, W) or (H, W) mask is run
        as a batch of one and returned without the batch dimension. For files,
        arrays and PIL images use :func:`inpaintzoo.apis.inpaint`.

        Args:
            img (Tensor): (N, 3, H, W) or (3, H, W); float in [0, 1] or uint8.
            mask (Tensor): (N, 1, H, W), (1, H, W) or (H, W); 1 (or 255,
                or True) = hole.

        Returns:
            Tensor: composite of ``img``'s shape: float in [0, 1], or uint8 for a
            uint8 ``img``.

        Raises:
            InvalidImageError: any other dtype or range (see
                :func:`check_image_tensor`).
            InvalidMaskError: a mask that is not binary after the mapping.
        """
        single = torch.is_tensor(img) and img.dim() == 3
        is_uint8 = torch.is_tensor(img) and img.dtype == torch.uint8
        if single:
            img = img[None]
            if torch.is_tensor(mask) and mask.dim() in (2, 3):
                mask = mask.reshape(1, 1, *mask.shape[-2:])
        if is_uint8:
            img = img.float() / 255
        if torch.is_tensor(mask):
            if mask.dtype == torch.bool:
                mask = mask.float()
            elif mask.dtype == torch.uint8:
                mask = mask.float() / (255.0 if bool((mask > 1).any()) else 1.0)
            mask = mask.to(img.dtype if img.is_floating_point() else torch.float32)
        out = self(dict(img=img, mask=mask), mode='tensor')
        if is_uint8:
            out = (out.clamp(0, 1) * 255).round().to(torch.uint8)
        return out[0] if single else out
