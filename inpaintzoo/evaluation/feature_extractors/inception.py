"""Inception-v3 pool3 (2048-d) features for FID, pytorch-fid style.

Assumption (the official repositories compute no FID): the standard
pytorch-fid network, i.e. torchvision's Inception-v3 with 1008 classes whose
Mixed_5b–7c blocks use TF-style pooling (average pooling without padded
pixels; max pooling in the last block), loaded from
``pt_inception-2015-12-05-6726825d.pth``. Torchvision's ImageNet
``inception_v3`` weights are accepted too (they give other numbers). Inputs
are resized to 299×299 (bilinear) and mapped to [-1, 1].
"""

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import inception as tvi

from .weights import find_weights, load_state_dict_file, missing_weights_message


def _avg(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class FIDInceptionA(tvi.InceptionA):
    """InceptionA with average pooling that excludes padding."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch1x1(x), b5, b3, self.branch_pool(_avg(x))], 1)


class FIDInceptionC(tvi.InceptionC):
    """InceptionC with average pooling that excludes padding."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = x
        for layer in (
            self.branch7x7dbl_1,
            self.branch7x7dbl_2,
            self.branch7x7dbl_3,
            self.branch7x7dbl_4,
            self.branch7x7dbl_5,
        ):
            bd = layer(bd)
        return torch.cat([self.branch1x1(x), b7, bd, self.branch_pool(_avg(x))], 1)


class FIDInceptionE(tvi.InceptionE):
    """InceptionE with TF pooling: ``'avg'`` (Mixed_7b) or ``'max'`` (Mixed_7c)."""

    def __init__(self, in_channels: int, pool: str) -> None:
        super().__init__(in_channels)
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # noqa: D102
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.pool == 'avg':
            pooled = _avg(x)
        else:
            pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        return torch.cat([self.branch1x1(x), b3, bd, self.branch_pool(pooled)], 1)


def _fid_inception() -> tvi.Inception3:
    net = tvi.Inception3(num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = FIDInceptionE(1280, pool='avg')
    net.Mixed_7c = FIDInceptionE(2048, pool='max')
    return net


_POOL3_PATH = [
    'Conv2d_1a_3x3',
    'Conv2d_2a_3x3',
    'Conv2d_2b_3x3',
    'maxpool1',
    'Conv2d_3b_1x1',
    'Conv2d_4a_3x3',
    'maxpool2',
    'Mixed_5b',
    'Mixed_5c',
    'Mixed_5d',
    'Mixed_6a',
    'Mixed_6b',
    'Mixed_6c',
    'Mixed_6d',
    'Mixed_6e',
    'Mixed_7a',
    'Mixed_7b',
    'Mixed_7c',
]


class InceptionPool3(nn.Module):
    """Inception-v3 pool3 features: (N, 3, H, W) in [0, 1] -> (N, 2048).

    Args:
        weights (str, optional): ``'pt_inception-2015-12-05'`` (pytorch-fid
            weights from the torch hub cache, the default), ``'torchvision'``
            (torchvision's ImageNet weights from the cache), a local file path
            (a file with ``AuxLogits`` keys is taken as torchvision's), or
            ``None`` for random weights (tests only).
        resize (bool): resize inputs to 299×299 bilinearly. Defaults to True.
    """

    def __init__(
        self, weights: str | None = 'pt_inception-2015-12-05', resize: bool = True
    ) -> None:
        super().__init__()
        self.resize = resize
        if weights is None:
            self.net = _fid_inception()
            return
        if weights in ('pt_inception-2015-12-05', 'torchvision'):
            name = weights if weights != 'torchvision' else 'torchvision_inception_v3'
            file = find_weights(name)
            if file is None:
                raise FileNotFoundError(
                    missing_weights_message(
                        'FID Inception', name, 'inception_weights=/--fid-weights'
                    )
                )
        else:
            file = find_weights('pt_inception-2015-12-05', weights)
        state = load_state_dict_file(file)
        if any(k.startswith('AuxLogits') for k in state):
            self.net = tvi.Inception3(aux_logits=True, init_weights=False)
        else:
            self.net = _fid_inception()
        self.net.load_state_dict(state, strict=True)
        self.net.eval().requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Extract features.

        Args:
            x (Tensor): (N, 3, H, W) float in [0, 1], RGB.

        Returns:
            Tensor: (N, 2048) pool3 features.
        """
        if self.resize:
            x = F.interpolate(x, size=(299, 299), mode='bilinear', align_corners=False)
        x = 2 * x - 1
        for name in _POOL3_PATH:
            x = getattr(self.net, name)(x)
        return F.adaptive_avg_pool2d(x, 1).flatten(1)
