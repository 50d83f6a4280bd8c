"""Gated convolution stage of NCLG-MT (reference-models §5.2 ``GateConv``)."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class NCLGGatedConv(BaseModule):
    """Gated (transposed) convolution -> InstanceNorm -> ReLU.

    One convolution maps ``in_channels`` to ``2 * out_channels``; the first half
    ``f`` is gated by the sigmoid of the second half ``g``: ``f * sigmoid(g)``
    (no activation on ``f``). A non-learnable InstanceNorm and a ReLU follow.
    With ``reflect_pad > 0`` the input is reflection-padded first (the 7x7 stem).

    Shapes: ``(B, in_channels, H, W) -> (B, out_channels, H', W')`` where
    ``H' = (H + 2*reflect_pad + 2*padding - kernel_size) // stride + 1`` for a
    conv and ``H' = (H - 1) * stride - 2*padding + kernel_size`` if ``transpose``.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (the conv itself has twice as many).
        kernel_size (int): Kernel size.
        stride (int): Stride. Defaults to 1.
        padding (int): Zero padding of the conv. Defaults to 0.
        reflect_pad (int): Reflection padding before the conv. Defaults to 0.
        transpose (bool): Use ``ConvTranspose2d`` (up-sampling). Defaults to False.
        norm (bool): Apply InstanceNorm (affine False) and ReLU after the gate.
            Defaults to True.
        gated (bool): Gate the output. False gives a vanilla convolution
            ``in -> out`` (same stride, padding and norm), the thesis ablation's
            baseline (Table 3.4 rows without gated convolution). Defaults to True.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        reflect_pad: int = 0,
        transpose: bool = False,
        norm: bool = True,
        gated: bool = True,
    ) -> None:
        super().__init__()
        conv_cls = nn.ConvTranspose2d if transpose else nn.Conv2d
        self.out_channels = out_channels
        self.gated = gated
        self.pad = nn.ReflectionPad2d(reflect_pad) if reflect_pad else nn.Identity()
        self.conv = conv_cls(
            in_channels,
            (2 if gated else 1) * out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
        )
        self.norm = nn.InstanceNorm2d(out_channels) if norm else nn.Identity()
        self.act = nn.ReLU() if norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Gate a feature map.

        Args:
            x (Tensor): ``(B, in_channels, H, W)``.

        Returns:
            Tensor: ``(B, out_channels, H', W')`` (see the class docstring).
        """
        y = self.conv(self.pad(x))
        if self.gated:
            f, g = torch.split(y, self.out_channels, dim=1)
            y = f * torch.sigmoid(g)
        return self.act(self.norm(y))
