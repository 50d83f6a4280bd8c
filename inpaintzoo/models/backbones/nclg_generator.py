"""NCLG-MT generator: multi-task inpainting with 68-point landmark prediction.

Reference-models §5.3. A gated-conv encoder (256^2 -> 64^2), dilated residual
blocks and short+long attention give a shared feature; a landmark head predicts
68 points from it, the points are rasterised to a 128^2 map and fused back into
the decoder. Official checkpoints load through ``converters/nclg.py``.
"""

from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from inpaintzoo.models.backbones.input_checks import check_image_tensor, fill_holes
from inpaintzoo.models.layers.nclg_attention import ShortLongAttention
from inpaintzoo.models.layers.nclg_fusion import FeatureFusion
from inpaintzoo.models.layers.nclg_gated_conv import NCLGGatedConv
from inpaintzoo.models.layers.nclg_landmark import rasterize_landmarks
from inpaintzoo.models.layers.nclg_res_blocks import DilatedResBlock
from inpaintzoo.models.layers.official_init import official_normal_init
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError, InvalidImageError

#: the official landmark head (reference-models §5.3 L-P1..L-FC)
_OFFICIAL_LANDMARK = dict(
    type='LandmarkPredictor', expand_channels=1280, node_channels=(64, 64, 128)
)

#: the stages ``with_cp`` can select, in forward order
CP_STAGES = ('encoder', 'middle', 'decoder')


def cp_stages(with_cp: bool | Sequence[str]) -> frozenset[str]:
    """``with_cp`` of :class:`NCLGGenerator` as a set of stage names.

    Args:
        with_cp (bool | Sequence[str]): True (all of :data:`CP_STAGES`), False
            (none) or a list of stage names.

    Raises:
        ConfigError: anything else, or an unknown or repeated stage name.
    """
    if isinstance(with_cp, bool):
        return frozenset(CP_STAGES if with_cp else ())
    names = list(with_cp) if isinstance(with_cp, Sequence) else None
    if (
        isinstance(with_cp, str)
        or names is None
        or not all(isinstance(n, str) and n in CP_STAGES for n in names)
        or len(set(names)) != len(names)
    ):
        raise ConfigError(
            f'NCLGGenerator.with_cp must be a bool or a list of distinct stage names '
            f"from {list(CP_STAGES)} (e.g. ['middle', 'decoder']); got {with_cp!r}"
        )
    return frozenset(names)


class NCLGOutput(NamedTuple):
    """What :class:`NCLGGenerator` returns (a tuple: ``image, landmarks = out``).

    Attributes:
        image (Tensor): ``(B, 3, 256, 256)`` raw output in (0, 1), not composited.
        landmarks (Tensor | None): ``(B, 136)`` = 68 (x, y) pairs as fractions of
            the image side (pixel = 256 * value; x = column, y = row); None for a
            generator built without the landmark branch (``landmark=None``).
    """

    image: torch.Tensor
    landmarks: torch.Tensor | None


@MODELS.register_module()
class NCLGGenerator(BaseModule):
    """NCLG-MT ``InpaintGenerator`` (official widths 64/128/256, 68 landmarks).

    Forward (B = batch), with ``M`` the hole mask and ``M/2``, ``M/4`` its
    bilinear (align_corners) down-scales:

    * ``enc1``: 3 -> 64 @256^2, ``enc2``: -> 128 @128^2, ``enc3``: -> 256 @64^2.
    * ``middle``: ``residual_blocks`` dilated residual blocks @64^2.
    * ``attn``: short+long attention with the ``enc3`` skip and ``M/4`` -> shared.
    * ``dec1``: -> 128 @128^2; ``fuse1(enc2 * (1 - M/2), dec1)`` -> 256 @128^2.
    * ``landmark(shared, fuse1 output)`` -> ``(B, 136)``; rasterised to a
      ``(B, 68, 128, 128)`` map; ``fuse_map(map, x)`` -> 256 @128^2.
    * ``dec2``: -> 64 @256^2; ``fuse2(enc1 * (1 - M), dec2)`` -> 128 @256^2.
    * ``out``: reflect-pad 3, conv7x7 128 -> 3, ``(tanh + 1) / 2``.

    Thesis ablation options (Table 3.4): ``landmark=None`` drops the landmark
    head and the map fusion ``fuse_map`` (the image-only baseline: the decoder
    goes from ``fuse1`` straight to ``dec2``, ``landmarks`` is None);
    ``gated=False`` makes ``enc1..3`` and ``dec1..2`` vanilla convolutions.

    Activation checkpointing (``with_cp``): each module of a selected stage runs
    under ``torch.utils.checkpoint.checkpoint(..., use_reentrant=False)`` in
    training mode with gradients enabled (never in eval, ``no_grad`` or
    ``inference_mode``). Stages: ``'encoder'`` = ``enc1..3``; ``'middle'`` = each
    residual block; ``'decoder'`` = ``dec1``, ``fuse1``, ``fuse_map``, ``dec2``,
    ``fuse2``. ``attn`` and ``landmark`` never are: a recomputed forward would
    run the spectral-norm power iteration (``attn``) or update the BatchNorm
    running statistics (``landmark``) a second time and change the result.

    Initialisation (:meth:`init_weights`, which MMEngine's Runner calls before a
    checkpoint is loaded): the official ``init_weights`` (reference-models §5.6),
    conv, transposed-conv and linear weights N(0, 0.02) with zero biases,
    BatchNorm weights N(1, 0.02) with zero biases; spectral-normalised convs get it
    on ``weight_orig``. ``attn.gamma``, ``attn.alpha`` and ``landmark.gamma`` stay
    0 and the PReLU 0.25. The constructor keeps PyTorch's default init.

    Args:
        residual_blocks (int): Middle blocks. Defaults to 7 (official).
        input_size (int): Required square input side (the landmark map scale is
            fixed for it). Defaults to 256.
        base_channels (int): Width ``c`` of ``enc1``; the encoder runs at
            ``c, 2c, 4c``. Defaults to 64 (official; smaller for demos/tests).
        landmark (dict, optional): config of the landmark head (registered,
            e.g. ``LandmarkPredictor``), built with ``in_channels=4c`` and
            ``num_points``; its node widths must sum to ``4c`` (the context it
            borrows). None: no landmark branch. Defaults to the official
            ``LandmarkPredictor`` (expand 1280, nodes 64/64/128).
        gated (bool): Gated convolutions in the encoder and the up-sampling
            decoder stages (official). Defaults to True.
        num_points (int): Landmarks. Defaults to 68.
        with_cp (bool | Sequence[str]): activation checkpointing: True (all of
            :data:`CP_STAGES`), False, or stage names, e.g. ``['middle']``.
            Defaults to False.
        init_cfg (dict | list[dict], optional): MMEngine init config; when given,
            :meth:`init_weights` defers to MMEngine instead of the official init.
    """

    def __init__(
        self,
        residual_blocks: int = 7,
        input_size: int = 256,
        base_channels: int = 64,
        landmark: dict | None = _OFFICIAL_LANDMARK,
        gated: bool = True,
        num_points: int = 68,
        with_cp: bool | Sequence[str] = False,
        init_cfg: dict | list[dict] | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.input_size = input_size
        self.map_size = input_size // 2
        self.num_points = num_points
        self.with_cp = cp_stages(with_cp)
        c = base_channels
        self.enc1 = NCLGGatedConv(3, c, 7, reflect_pad=3, gated=gated)
        self.enc2 = NCLGGatedConv(c, 2 * c, 4, stride=2, padding=1, gated=gated)
        self.enc3 = NCLGGatedConv(2 * c, 4 * c, 4, stride=2, padding=1, gated=gated)
        self.middle = nn.Sequential(
            *[DilatedResBlock(4 * c, dilation=2) for _ in range(residual_blocks)]
        )
        self.attn = ShortLongAttention(4 * c)
        self.landmark = None
        if landmark is not None:
            self.landmark = MODELS.build(
                dict(landmark),
                default_args=dict(in_channels=4 * c, num_points=num_points),
            )
        up = dict(stride=2, padding=1, transpose=True, gated=gated)
        self.dec1 = NCLGGatedConv(4 * c, 2 * c, 4, **up)
        self.fuse1 = FeatureFusion(2 * c + 2 * c, 4 * c)
        self.fuse_map = None
        if self.landmark is not None:
            self.fuse_map = FeatureFusion(num_points + 4 * c, 4 * c)
        self.dec2 = NCLGGatedConv(4 * c, c, 4, **up)
        self.fuse2 = FeatureFusion(c + c, 2 * c)
        self.out_pad = nn.ReflectionPad2d(3)
        self.out = nn.Conv2d(2 * c, 3, 7)

    def init_weights(self) -> None:
        """The official init (:func:`official_normal_init`), or ``init_cfg`` if set."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        official_normal_init(self)
        self._is_init = True

    @staticmethod
    def scaled_masks(mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Soft half- and quarter-size masks (bilinear, align_corners=True).

        Args:
            mask (Tensor): ``(B, 1, H, W)``.

        Returns:
            tuple[Tensor, Tensor]: ``(B, 1, H/2, W/2)`` and ``(B, 1, H/4, W/4)``.
        """
        h, w = mask.shape[-2:]
        return tuple(
            F.interpolate(
                mask, size=[h // f, w // f], mode='bilinear', align_corners=True
            )
            for f in (2, 4)
        )

    def run_stage(
        self, stage: str, module: Callable, *args: torch.Tensor
    ) -> torch.Tensor:
        """``module(*args)``, checkpointed when ``stage`` is selected and training.

        Args:
            stage (str): one of :data:`CP_STAGES`.
            module (Callable): a submodule of that stage.
            *args (Tensor): its inputs.

        Returns:
            Tensor: its output.
        """
        if stage in self.with_cp and self.training and torch.is_grad_enabled():
            return checkpoint(module, *args, use_reentrant=False)
        return module(*args)

    def forward_filled(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        mask_half: torch.Tensor,
        mask_quarter: torch.Tensor,
    ) -> NCLGOutput:
        """The official forward on a hole-filled input (no checks).

        Args:
            x (Tensor): ``(B, 3, 256, 256)`` image with holes set to 1.
            mask (Tensor): ``(B, 1, 256, 256)``, 1 = hole.
            mask_half (Tensor): ``(B, 1, 128, 128)`` soft mask.
            mask_quarter (Tensor): ``(B, 1, 64, 64)`` soft mask.

        Returns:
            NCLGOutput: ``(image (B, 3, 256, 256), landmarks (B, 136))``.
        """
        run = self.run_stage
        f_e1 = run('encoder', self.enc1, x)
        f_e2 = run('encoder', self.enc2, f_e1)
        f_e3 = run('encoder', self.enc3, f_e2)
        mid = f_e3
        for block in self.middle:
            mid = run('middle', block, mid)
        shared = self.attn(mid, f_e3, mask_quarter)
        x = run(
            'decoder',
            self.fuse1,
            f_e2 * (1 - mask_half),
            run('decoder', self.dec1, shared),
        )
        landmarks = None
        if self.landmark is not None:
            landmarks = self.landmark(shared, x)
            lmk_map = rasterize_landmarks(landmarks, self.map_size)
            x = run('decoder', self.fuse_map, lmk_map, x)
        x = run('decoder', self.dec2, x)
        x = run('decoder', self.fuse2, f_e1 * (1 - mask), x)
        image = (torch.tanh(self.out(self.out_pad(x))) + 1) / 2
        return NCLGOutput(image, landmarks)

    def forward(self, img: torch.Tensor, mask: torch.Tensor) -> NCLGOutput:
        """Inpaint and predict landmarks.

        Args:
            img (Tensor): ``(B, 3, 256, 256)`` float in [0, 1]; hole pixels are
                replaced by 1 (they may hold anything).
            mask (Tensor): ``(B, 1, 256, 256)`` in {0, 1}, 1 = hole.

        Raises:
            InvalidImageError: bad image, or not 3 x ``input_size`` x ``input_size``.
            InvalidMaskError: bad mask.

        Returns:
            NCLGOutput: ``(image (B, 3, 256, 256) in (0, 1), landmarks (B, 136))``;
            unpack with ``image, landmarks = generator(img, mask)``.
        """
        check_image_tensor(img, mask, source='NCLGGenerator input img')
        size = self.input_size
        if tuple(img.shape[1:]) != (3, size, size):
            raise InvalidImageError(
                f'NCLGGenerator input img must have shape (B, 3, {size}, {size}) '
                f'(the landmark map is fixed to this size), got {tuple(img.shape)}; '
                f'resize the image and mask to {size}x{size}'
            )
        mask = mask.to(img.dtype)
        mask_half, mask_quarter = self.scaled_masks(mask)
        return self.forward_filled(
            fill_holes(img, mask, 1.0), mask, mask_half, mask_quarter
        )
