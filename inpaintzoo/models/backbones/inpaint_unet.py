"""Generic U-shaped inpainting backbone of HINT / MxT / SEM-Net (reference §1.4)."""

import math
import numbers
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn
from torch.utils.checkpoint import checkpoint

from inpaintzoo.models.backbones.input_checks import check_image_tensor, fill_holes
from inpaintzoo.models.layers.slot_config import check_slot_config
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError, InvalidImageError

_PAD_MODES = ('reflect', 'replicate', 'constant')
_OUTPUT_ACTS = ('tanh01', 'none')
#: the block stages of each level (``with_cp`` selects levels)
CP_LEVEL_STAGES = (
    ('encoder1', 'decoder1'),
    ('encoder2', 'decoder2'),
    ('encoder3', 'decoder3'),
    ('latent',),
)


def cp_levels(with_cp: bool | Sequence[bool]) -> tuple[bool, bool, bool, bool]:
    """``with_cp`` of :class:`InpaintUNet` as one flag per level 1..4.

    Args:
        with_cp (bool | Sequence[bool]): one bool for every level, or 4 bools for
            levels 1..4 (level k = ``encoderk`` + ``decoderk``, level 4 = ``latent``).

    Raises:
        ConfigError: anything else (numbers, strings, stage names, another length).
    """
    if isinstance(with_cp, bool):
        return (with_cp,) * 4
    if (
        isinstance(with_cp, Sequence)
        and not isinstance(with_cp, str)
        and len(with_cp) == 4
        and all(isinstance(v, bool) for v in with_cp)
    ):
        return tuple(with_cp)
    raise ConfigError(
        'InpaintUNet.with_cp must be a bool or a list of 4 bools for levels 1-4 '
        '(level k = encoderk + decoderk, level 4 = latent), e.g. '
        f'[True, True, False, False]; got {with_cp!r}'
    )


def _four(name: str, value: Sequence[int]) -> list[int]:
    ok = isinstance(value, Sequence) and not isinstance(value, str)
    items = list(value) if ok else []
    if len(items) != 4 or not all(_is_positive_int(v) for v in items):
        raise ConfigError(f'{name} must hold 4 positive integers, got {value!r}')
    return [int(v) for v in items]


def _is_positive_int(value: object) -> bool:
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    return integral and value >= 1


def _positive_int(name: str, value: object) -> int:
    if not _is_positive_int(value):
        raise ConfigError(
            f'InpaintUNet.{name} must be a positive integer, got {value!r}'
        )
    return int(value)


@MODELS.register_module()
class InpaintUNet(BaseModule):
    """Four-level U-Net of transformer blocks, built from config dicts.

    Layout (C = ``dim``)::

        embed(cat(filled, mask)) -> C
        encoder1 (C) -> down1 -> encoder2 (2C) -> down2 -> encoder3 (4C) -> down3
        -> latent (8C) -> up3 -> cat(up, enc3) -> reduce3 -> decoder3 (4C) -> up2
        -> cat(up, enc2) -> reduce2 -> decoder2 (2C) -> up1 -> cat(up, enc1)
        -> decoder1 (2C, no reduction) -> output conv3x3 -> (tanh + 1) / 2

    With ``reduce_last_skip=True`` a 1x1 ``reduce1`` (2C -> C) follows the last
    skip concatenation and ``decoder1`` and the output conv work at C (thesis
    Table 4.6, "w 1x1 conv"; HINT, MxT and SEM-Net keep 2C).

    Decoder levels reuse the encoder's block counts and heads. Down-samplers get the
    mask at their input resolution (nearest, ``int(H / k) x int(W / k)`` as the
    official wrapper); blocks and up-samplers see only features.

    Every slot config (and the configs nested in it, e.g. ``block.attn``) is
    checked against its block's constructor before building: keywords a block does
    not take raise :class:`ConfigError` naming the slot, the keys and the
    ``_delete_=True`` fix (:func:`check_slot_config`).

    Activation checkpointing (``with_cp``, the OpenMMLab convention): every block
    of a selected level runs under
    ``torch.utils.checkpoint.checkpoint(block, x, use_reentrant=False)``, so only
    the block inputs are kept for the backward and each block's forward is run a
    second time there (same outputs and gradients, less memory, more time). It acts
    only in training mode with gradients enabled; in eval mode, under ``no_grad``
    or ``inference_mode`` the blocks run plainly. Embedding, samplers, reductions
    and the output conv are never checkpointed.

    Any H, W work: the hole-filled input and the mask are padded at the bottom and
    right up to a multiple of :attr:`stride` with ``pad_mode`` (``'reflect'``, or
    ``'replicate'`` where the pad is too large to reflect) and the output is cropped
    back. Sizes that already are multiples of ``stride`` are not padded, so the
    result is exactly the unpadded network's.

    Args:
        in_channels (int): Image channels. Defaults to 3.
        out_channels (int): Output channels. Defaults to 3.
        dim (int): Level-1 width C. Defaults to 48.
        num_blocks (Sequence[int]): Blocks per level 1..4. Defaults to (4, 6, 6, 8).
        num_heads (Sequence[int]): Heads per level 1..4. Defaults to (1, 2, 4, 8).
        embed (dict, optional): Embedding config (built with ``in_channels``,
            ``dim``). Defaults to ``dict(type='GatedEmbedding')``.
        block (dict, optional): Block config (built with ``dim``, ``num_heads``).
            Defaults to ``dict(type='SandwichBlock')``.
        down (dict, optional): Down-sampler config (built with ``dim``). Defaults
            to ``dict(type='MaskAwareDownsample')``.
        up (dict, optional): Up-sampler config (built with ``dim``). Defaults to
            ``dict(type='PixelShuffleUpsample')``.
        concat_mask (bool): Concatenate the mask to the filled image, so the
            embedding sees ``in_channels + 1`` channels. Defaults to True.
        fill_value (float): Value written into holes. Defaults to 1.0 (white).
        bias (bool): Bias of the reduce and output convolutions. Defaults to False.
        stride (int, optional): Size divisor; derived from the blocks (8 times the
            largest ``size_divisor``, HINT: 16) when None. Defaults to None.
        pad_mode (str): ``'reflect'``, ``'replicate'`` or ``'constant'`` (zeros).
            Defaults to ``'reflect'``.
        reduce_last_skip (bool): Add the 1x1 reduction after the last skip
            connection (see above). Defaults to False.
        with_cp (bool | Sequence[bool]): activation checkpointing of the blocks:
            one bool for all levels, or 4 bools for levels 1..4 (level k =
            ``encoderk`` and ``decoderk`` together, level 4 = ``latent``; see
            :data:`CP_LEVEL_STAGES`). Defaults to False.
        output_act (str): ``'tanh01'`` maps the output conv to (0, 1) with
            ``(tanh + 1) / 2`` (inpainting); ``'none'`` keeps it linear (the
            residual deblurring restorer, ``out = in + net(in)``). Defaults to
            ``'tanh01'``.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        dim: int = 48,
        num_blocks: Sequence[int] = (4, 6, 6, 8),
        num_heads: Sequence[int] = (1, 2, 4, 8),
        embed: dict | None = None,
        block: dict | None = None,
        down: dict | None = None,
        up: dict | None = None,
        concat_mask: bool = True,
        fill_value: float = 1.0,
        bias: bool = False,
        stride: int | None = None,
        pad_mode: str = 'reflect',
        reduce_last_skip: bool = False,
        output_act: str = 'tanh01',
        with_cp: bool | Sequence[bool] = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        sizes = {'dim': dim, 'in_channels': in_channels, 'out_channels': out_channels}
        for name, value in sizes.items():
            _positive_int(name, value)
        num_blocks, num_heads = (
            _four('num_blocks', num_blocks),
            _four('num_heads', num_heads),
        )
        if pad_mode not in _PAD_MODES:
            raise ConfigError(f'pad_mode must be one of {_PAD_MODES}, got {pad_mode!r}')
        if output_act not in _OUTPUT_ACTS:
            raise ConfigError(
                f'InpaintUNet.output_act must be one of {_OUTPUT_ACTS}, got '
                f"{output_act!r} ('none' for a residual restorer)"
            )
        self.output_act = output_act
        self.with_cp = cp_levels(with_cp)
        embed = embed if embed is not None else dict(type='GatedEmbedding')
        block = block if block is not None else dict(type='SandwichBlock')
        down = down if down is not None else dict(type='MaskAwareDownsample')
        up = up if up is not None else dict(type='PixelShuffleUpsample')
        self.in_channels, self.concat_mask = in_channels, concat_mask
        self.fill_value, self.pad_mode = float(fill_value), pad_mode
        widths = [dim, 2 * dim, 4 * dim, 8 * dim]
        emb_in = in_channels + int(concat_mask)
        for slot, cfg, passed in (
            ('embed', embed, dict(in_channels=emb_in, dim=dim)),
            ('block', block, dict(dim=dim, num_heads=num_heads[0])),
            ('down', down, dict(dim=dim)),
            ('up', up, dict(dim=dim)),
        ):
            check_slot_config(cfg, slot, passed, owner='InpaintUNet')

        def stage(width: int, level: int) -> nn.Sequential:
            args = dict(dim=width, num_heads=num_heads[level])
            return nn.Sequential(
                *[
                    MODELS.build(block, default_args=args)
                    for _ in range(num_blocks[level])
                ]
            )

        self.embed = MODELS.build(embed, default_args=dict(in_channels=emb_in, dim=dim))
        self.encoder1, self.encoder2 = stage(widths[0], 0), stage(widths[1], 1)
        self.encoder3, self.latent = stage(widths[2], 2), stage(widths[3], 3)
        self.down1 = MODELS.build(down, default_args=dict(dim=widths[0]))
        self.down2 = MODELS.build(down, default_args=dict(dim=widths[1]))
        self.down3 = MODELS.build(down, default_args=dict(dim=widths[2]))
        self.up3 = MODELS.build(up, default_args=dict(dim=widths[3]))
        self.reduce3 = nn.Conv2d(widths[3], widths[2], 1, bias=bias)
        self.decoder3 = stage(widths[2], 2)
        self.up2 = MODELS.build(up, default_args=dict(dim=widths[2]))
        self.reduce2 = nn.Conv2d(widths[2], widths[1], 1, bias=bias)
        self.decoder2 = stage(widths[1], 1)
        self.up1 = MODELS.build(up, default_args=dict(dim=widths[1]))
        dec1_width = widths[0] if reduce_last_skip else widths[1]
        self.reduce1 = (
            nn.Conv2d(widths[1], widths[0], 1, bias=bias) if reduce_last_skip else None
        )
        self.decoder1 = stage(dec1_width, 0)
        self.output = nn.Conv2d(dec1_width, out_channels, 3, padding=1, bias=bias)
        self.stride = int(stride) if stride is not None else self._derive_stride()

    def _derive_stride(self) -> int:
        stride = 8
        levels = [
            (1, (self.encoder1, self.decoder1)),
            (2, (self.encoder2, self.decoder2)),
            (4, (self.encoder3, self.decoder3)),
            (8, (self.latent,)),
        ]
        for scale, stages in levels:
            for blk in (b for s in stages for b in s):
                stride = math.lcm(stride, scale * int(getattr(blk, 'size_divisor', 1)))
        return stride

    def _pad(self, t: torch.Tensor, ph: int, pw: int) -> torch.Tensor:
        if ph == 0 and pw == 0:
            return t
        mode = self.pad_mode
        if mode == 'reflect' and (ph >= t.shape[-2] or pw >= t.shape[-1]):
            mode = 'replicate'
        return F.pad(t, (0, pw, 0, ph), mode=mode)

    @staticmethod
    def level_masks(mask: torch.Tensor) -> list[torch.Tensor]:
        """Masks at 1, 1/2, 1/4 and 1/8 like the official wrapper.

        Args:
            mask (Tensor): (N, 1, H, W).

        Returns:
            list[Tensor]: (N, 1, int(H / k), int(W / k)) for k = 1, 2, 4, 8.
        """
        h, w = mask.shape[-2:]
        out = [mask]
        for k in (2, 4, 8):
            size = [int(h / k), int(w / k)]
            out.append(F.interpolate(mask, size=size, mode='nearest'))
        return out

    def run_stage(self, name: str, x: torch.Tensor) -> torch.Tensor:
        """Blocks of stage ``name``, checkpointed block by block where selected.

        Args:
            name (str): ``'encoder1'`` .. ``'decoder1'`` or ``'latent'``.
            x (Tensor): (N, C_stage, h, w).

        Returns:
            Tensor: (N, C_stage, h, w).
        """
        stage = getattr(self, name)
        level = next(i for i, names in enumerate(CP_LEVEL_STAGES) if name in names)
        if not (self.with_cp[level] and self.training and torch.is_grad_enabled()):
            return stage(x)
        for block in stage:
            x = checkpoint(block, x, use_reentrant=False)
        return x

    def forward_padded(
        self, x: torch.Tensor, masks: list[torch.Tensor]
    ) -> torch.Tensor:
        """Network body on a stride-aligned input.

        Args:
            x (Tensor): (N, in_channels [+1], H, W) network input, H, W multiples of
                :attr:`stride`.
            masks (list[Tensor]): level masks from :meth:`level_masks`.

        Returns:
            Tensor: (N, out_channels, H, W) in (0, 1) (unbounded with
            ``output_act='none'``).
        """
        run = self.run_stage
        enc1 = run('encoder1', self.embed(x))
        enc2 = run('encoder2', self.down1(enc1, masks[0]))
        enc3 = run('encoder3', self.down2(enc2, masks[1]))
        lat = run('latent', self.down3(enc3, masks[2]))
        dec = run('decoder3', self.reduce3(torch.cat([self.up3(lat), enc3], dim=1)))
        dec = run('decoder2', self.reduce2(torch.cat([self.up2(dec), enc2], dim=1)))
        dec = torch.cat([self.up1(dec), enc1], dim=1)
        if self.reduce1 is not None:
            dec = self.reduce1(dec)
        dec = run('decoder1', dec)
        out = self.output(dec)
        return out if self.output_act == 'none' else (torch.tanh(out) + 1) / 2

    def forward(self, img: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Inpaint.

        Args:
            img (Tensor): (N, in_channels, H, W) float in [0, 1]; hole pixels are
                replaced by ``fill_value`` (they may hold anything, NaN included).
            mask (Tensor): (N, 1, H, W) in {0, 1}, 1 = hole.

        Raises:
            InvalidImageError: ``img`` is not (N >= 1, in_channels, H, W) float, has
                NaN/Inf in known pixels, or known pixels outside [0, 1] (± 0.5).
            InvalidMaskError: bad mask.

        Returns:
            Tensor: (N, out_channels, H, W) raw output in (0, 1) (not composited).
        """
        check_image_tensor(img, mask, source='InpaintUNet input img')
        if img.shape[1] != self.in_channels:
            raise InvalidImageError(
                f'InpaintUNet input img must have {self.in_channels} channels '
                f'(in_channels), got shape {tuple(img.shape)}'
            )
        mask = mask.to(img.dtype)
        filled = fill_holes(img, mask, self.fill_value)
        h, w = img.shape[-2:]
        ph, pw = -h % self.stride, -w % self.stride
        filled, mask = self._pad(filled, ph, pw), self._pad(mask, ph, pw)
        x = torch.cat([filled, mask], dim=1) if self.concat_mask else filled
        out = self.forward_padded(x, self.level_masks(mask))
        return out[..., :h, :w]
