"""Down- and up-samplers of the U-Net backbones (reference-models §1.3, §2.2).

Down-sampler slot contract: ``__init__(dim, ...)`` and
``forward(x: (N, C, H, W), mask: (N, 1, H, W) 1 = hole) -> (N, 2C, H/2, W/2)``.
Samplers that do not use the mask accept and ignore it.

Up-sampler slot contract: ``__init__(dim, ...)`` and
``forward(x: (N, C, H, W)) -> (N, C/2, 2H, 2W)``.
"""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


def _check_even(name: str, dim: int) -> None:
    if dim % 2:
        raise ConfigError(f'{name} needs an even channel count dim, got dim={dim}')


def interleave_mask(feat: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Interleave pixel-unshuffled features with the mask phases (MPD step 3).

    Args:
        feat (Tensor): (N, n, h, w) pixel-unshuffled features; channel ``i`` has
            sub-pixel phase ``i mod 4``.
        mask (Tensor): (N, 4, h, w) pixel-unshuffled mask (channel k = phase k).

    Returns:
        Tensor: (N, 2n, h, w) with ``T[:, 2i] = feat[:, i]`` and
        ``T[:, 2i + 1] = mask[:, i mod 4]``.
    """
    n, c, h, w = feat.shape
    if c % 4:
        raise ConfigError(f'interleave_mask needs a multiple of 4 channels, got {c}')
    phases = mask.to(feat.dtype).repeat(1, c // 4, 1, 1)
    return torch.stack((feat, phases), dim=2).reshape(n, 2 * c, h, w)


@MODELS.register_module()
class MaskAwareDownsample(BaseModule):
    """HINT's mask-aware pixel-unshuffle down-sampler (MPD, reference-models §2.2).

    ``conv`` (3x3, C -> C/2) and pixel-unshuffle give 2C feature channels; the
    pixel-unshuffled mask is interleaved so that every feature channel is followed
    by the mask sample of its own sub-pixel phase (4C channels), and ``fuse``
    (3x3, 4C -> 2C, groups = 2C) mixes each (feature, mask) pair. The interleave is
    a stack/reshape on the input's device and dtype (no loop, no ``.cuda()``).

    Args:
        dim (int): Input channels C (even).
        bias (bool): Bias of both convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self, dim: int, bias: bool = False, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        _check_even('MaskAwareDownsample', dim)
        self.conv = nn.Conv2d(dim, dim // 2, 3, padding=1, bias=bias)
        self.fuse = nn.Conv2d(4 * dim, 2 * dim, 3, padding=1, groups=2 * dim, bias=bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Down-sample with the mask.

        Args:
            x (Tensor): (N, C, H, W), H and W even.
            mask (Tensor): (N, 1, H, W), 1 = hole.

        Returns:
            Tensor: (N, 2C, H/2, W/2).
        """
        feat = F.pixel_unshuffle(self.conv(x), 2)
        return self.fuse(interleave_mask(feat, F.pixel_unshuffle(mask, 2)))


@MODELS.register_module()
class PixelUnshuffleDownsample(BaseModule):
    """Plain down-sampler (MxT / SEM-Net): conv3x3 C -> C/2, pixel-unshuffle.

    Args:
        dim (int): Input channels C (even).
        bias (bool): Bias of the convolution. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self, dim: int, bias: bool = False, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        _check_even('PixelUnshuffleDownsample', dim)
        self.conv = nn.Conv2d(dim, dim // 2, 3, padding=1, bias=bias)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Down-sample; the mask is ignored.

        Args:
            x (Tensor): (N, C, H, W), H and W even.
            mask (Tensor, optional): ignored.

        Returns:
            Tensor: (N, 2C, H/2, W/2).
        """
        return F.pixel_unshuffle(self.conv(x), 2)


@MODELS.register_module()
class StridedConvDownsample(BaseModule):
    """Strided-convolution down-sampler: conv 4x4, stride 2, pad 1, C -> 2C.

    Args:
        dim (int): Input channels C.
        bias (bool): Bias of the convolution. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self, dim: int, bias: bool = False, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.conv = nn.Conv2d(dim, 2 * dim, 4, stride=2, padding=1, bias=bias)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Down-sample; the mask is ignored.

        Args:
            x (Tensor): (N, C, H, W), H and W even.
            mask (Tensor, optional): ignored.

        Returns:
            Tensor: (N, 2C, H/2, W/2).
        """
        return self.conv(x)


@MODELS.register_module()
class PixelShuffleUpsample(BaseModule):
    """Up-sampler of HINT / MxT / SEM-Net: conv3x3 C -> 2C, pixel-shuffle.

    Args:
        dim (int): Input channels C (even).
        bias (bool): Bias of the convolution. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self, dim: int, bias: bool = False, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        _check_even('PixelShuffleUpsample', dim)
        self.conv = nn.Conv2d(dim, 2 * dim, 3, padding=1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Up-sample.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C/2, 2H, 2W).
        """
        return F.pixel_shuffle(self.conv(x), 2)
