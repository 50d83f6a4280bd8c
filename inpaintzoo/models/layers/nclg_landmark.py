"""Landmark branch of NCLG-MT (reference-models §5.3 L-P1..L-FC and §5.4)."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class LandmarkPredictor(BaseModule):
    """68-point landmark head on the shared feature, with a decoder context term.

    * ``expand``: conv1x1 ``C -> expand_channels`` (no bias), BatchNorm, ReLU6 (P1).
    * ``node1``: conv1x1 ``C -> n1`` on the shared feature, spatial mean (P2).
    * ``node2``: conv1x1 ``expand -> n2`` on P1, spatial mean (P3).
    * ``node3``: conv1x1 ``expand -> n3`` on P1, spatial mean, PReLU (P4).
    * ``v = cat(P2, P3, P4) + gamma * mean(context)`` (``gamma`` scalar, init 0).
    * ``fc``: Linear ``n1 + n2 + n3 -> 2 * num_points``, no activation.

    Official widths ``(n1, n2, n3) = (64, 64, 128)``. Shapes: ``feat (B, C, h, w)``,
    ``context (B, n1 + n2 + n3, H, W)`` -> ``(B, 2*num_points)``, ordered x0, y0,
    x1, y1, ... as fractions of the image side.

    Args:
        in_channels (int): Channels ``C`` of the shared feature. Defaults to 256.
        expand_channels (int): Channels of P1. Defaults to 1280.
        num_points (int): Landmarks. Defaults to 68.
        node_channels (tuple[int, int, int]): ``(n1, n2, n3)``; their sum is the
            context's channel count. Defaults to (64, 64, 128).
    """

    def __init__(
        self,
        in_channels: int = 256,
        expand_channels: int = 1280,
        num_points: int = 68,
        node_channels: tuple[int, int, int] = (64, 64, 128),
    ) -> None:
        super().__init__()
        n1, n2, n3 = (int(n) for n in node_channels)
        self.num_points = num_points
        self.expand = nn.Sequential()
        self.expand.add_module(
            'conv', nn.Conv2d(in_channels, expand_channels, 1, bias=False)
        )
        self.expand.add_module('bn', nn.BatchNorm2d(expand_channels))
        self.expand.add_module('act', nn.ReLU6())
        self.node1 = nn.Conv2d(in_channels, n1, 1)
        self.node2 = nn.Conv2d(expand_channels, n2, 1)
        self.node3 = nn.Conv2d(expand_channels, n3, 1)
        self.prelu = nn.PReLU()
        self.gamma = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(n1 + n2 + n3, 2 * num_points)

    @staticmethod
    def _mean(x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=3).mean(dim=2)

    def forward(self, feat: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Predict normalised landmark coordinates.

        Args:
            feat (Tensor): ``(B, C, h, w)`` shared feature after attention.
            context (Tensor): ``(B, n1 + n2 + n3, H, W)`` decoder feature whose spatial
                mean is added with weight ``gamma``.

        Returns:
            Tensor: ``(B, 2 * num_points)``.
        """
        expanded = self.expand(feat)
        node1 = self._mean(self.node1(feat))
        node2 = self._mean(self.node2(expanded))
        node3 = self.prelu(self._mean(self.node3(expanded)))
        v = torch.cat([node1, node2, node3], dim=1) + self.gamma * self._mean(context)
        return self.fc(v)


def rasterize_landmarks(landmarks: torch.Tensor, size: int = 128) -> torch.Tensor:
    """Binary landmark map: every channel holds all points (reference-models §5.4).

    Coordinates are scaled by ``size``, clamped to ``[0, size - 1]`` and truncated
    to integers; the cell ``(row=y, col=x)`` of every channel is set to 1. The map
    carries no gradient.

    Args:
        landmarks (Tensor): ``(B, 2 * P)`` normalised (x, y) pairs.
        size (int): Side of the map. Defaults to 128.

    Returns:
        Tensor: ``(B, P, size, size)`` of 0/1 in ``landmarks.dtype``.
    """
    b = landmarks.shape[0]
    points = landmarks.detach().reshape(b, -1, 2) * size
    cells = points.clamp(0, size - 1).long()
    num = points.shape[1]
    out = landmarks.new_zeros(b, size, size, num)
    batch = torch.arange(b, device=landmarks.device).repeat_interleave(num)
    out[batch, cells[..., 1].reshape(-1), cells[..., 0].reshape(-1)] = 1
    return out.permute(0, 3, 1, 2).contiguous()
