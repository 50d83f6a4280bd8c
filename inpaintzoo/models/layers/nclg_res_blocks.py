"""Residual blocks of NCLG-MT (reference-models §5.2).

* :class:`DilatedResBlock`: the generator's middle blocks (``middle.i``).
* :class:`SNResBlock`: the spectral-normalised fusion block inside the
  short+long attention (``auto_attn.model``).
"""

import torch
from mmengine.model import BaseModule
from torch import nn
from torch.nn.utils import spectral_norm

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class DilatedResBlock(BaseModule):
    """``x + IN(conv3x3(pad1(ReLU(IN(conv3x3_dil(pad_d(x)))))))``, no final activation.

    Both convs have bias; the first is dilated and uses reflection padding equal
    to the dilation; InstanceNorms are not affine.

    Shapes: ``(B, C, H, W) -> (B, C, H, W)``.

    Args:
        channels (int): Channels ``C``.
        dilation (int): Dilation of the first conv. Defaults to 2.
    """

    def __init__(self, channels: int, dilation: int = 2) -> None:
        super().__init__()
        self.pad1 = nn.ReflectionPad2d(dilation)
        self.conv1 = nn.Conv2d(channels, channels, 3, dilation=dilation)
        self.norm1 = nn.InstanceNorm2d(channels)
        self.act = nn.ReLU()
        self.pad2 = nn.ReflectionPad2d(1)
        self.conv2 = nn.Conv2d(channels, channels, 3)
        self.norm2 = nn.InstanceNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual update.

        Args:
            x (Tensor): ``(B, C, H, W)``.

        Returns:
            Tensor: ``(B, C, H, W)``.
        """
        y = self.act(self.norm1(self.conv1(self.pad1(x))))
        return x + self.norm2(self.conv2(self.pad2(y)))


@MODELS.register_module()
class SNResBlock(BaseModule):
    """``conv2(LReLU(conv1(LReLU(z)))) + bypass(z)`` with spectral-normalised convs.

    conv1 is 3x3 ``in -> hidden``, conv2 3x3 ``hidden -> out``, bypass 1x1
    ``in -> out``; all with bias. LeakyReLU slope 0.01. Spectral norm is
    ``torch.nn.utils.spectral_norm`` (keys ``weight_orig`` / ``weight_u`` /
    ``weight_v``; one power iteration per training-mode call, none in eval).

    Shapes: ``(B, in_channels, H, W) -> (B, out_channels, H, W)``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        hidden_channels (int, optional): Channels between the 3x3 convs.
            Defaults to ``out_channels``.
        use_spectral_norm (bool): Wrap the convs in spectral norm. Defaults to True.
        negative_slope (float): LeakyReLU slope. Defaults to 0.01.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        hidden_channels: int | None = None,
        use_spectral_norm: bool = True,
        negative_slope: float = 0.01,
    ) -> None:
        super().__init__()
        hidden = hidden_channels or out_channels
        wrap = spectral_norm if use_spectral_norm else (lambda m: m)
        self.conv1 = wrap(nn.Conv2d(in_channels, hidden, 3, padding=1))
        self.conv2 = wrap(nn.Conv2d(hidden, out_channels, 3, padding=1))
        self.bypass = wrap(nn.Conv2d(in_channels, out_channels, 1))
        self.act = nn.LeakyReLU(negative_slope)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Residual map.

        Args:
            z (Tensor): ``(B, in_channels, H, W)``.

        Returns:
            Tensor: ``(B, out_channels, H, W)``.
        """
        return self.conv2(self.act(self.conv1(self.act(z)))) + self.bypass(z)
