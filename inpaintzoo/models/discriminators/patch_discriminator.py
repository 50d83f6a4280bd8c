"""PatchGAN discriminator of HINT / MxT / SEM-Net (reference-models §1.7)."""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.official_init import normal_init_
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class PatchDiscriminator(BaseModule):
    """Five 4x4 convolutions (EdgeConnect / LaFIn PatchGAN).

    Channels ``b, 2b, 4b, 8b, 1`` (b = ``base_channels``), strides 2, 2, 2, 1, 1,
    padding 1, LeakyReLU(0.2) after the first four, sigmoid head when
    ``use_sigmoid``. With ``use_spectral_norm`` every conv is wrapped in
    ``torch.nn.utils.spectral_norm`` (keys ``weight_orig`` / ``weight_u`` /
    ``weight_v``; one power iteration per training-mode forward) and has no bias.

    Weights are initialised N(0, 0.02) and biases 0 at construction and by
    :meth:`init_weights`, like the official ``init_weights``.

    Args:
        in_channels (int): Input channels. Defaults to 3.
        base_channels (int): Width of the first conv. Defaults to 64.
        use_sigmoid (bool): Apply a sigmoid to the output. Defaults to True
            (official lsgan setting).
        use_spectral_norm (bool): Spectral-normalise the convs. Defaults to True.
        attention (dict, optional): config of a registered attention layer
            ``(N, C, h, w) -> (N, C, h, w)`` applied after the activation of conv
            ``attention_after``; built with ``channels=C``. NCLG-MT's
            discriminator (reference-models §5.5) is
            ``dict(type='ShortLongAttention', with_skip=False)`` after conv2.
            Its convolutions are initialised N(0, 0.02) like the five convs.
            Defaults to None (HINT / MxT / SEM-Net).
        attention_after (int): 1..4, the conv whose output is attended.
            Defaults to 2.
        init_cfg (dict, optional): MMEngine init config; when given,
            :meth:`init_weights` defers to MMEngine. Defaults to None.
    """

    def __init__(
        self,
        in_channels: int = 3,
        base_channels: int = 64,
        use_sigmoid: bool = True,
        use_spectral_norm: bool = True,
        attention: dict | None = None,
        attention_after: int = 2,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.use_sigmoid = use_sigmoid
        b = base_channels
        specs = [
            (in_channels, b, 2),
            (b, 2 * b, 2),
            (2 * b, 4 * b, 2),
            (4 * b, 8 * b, 1),
        ]
        specs.append((8 * b, 1, 1))
        for i, (cin, cout, stride) in enumerate(specs, start=1):
            conv = nn.Conv2d(
                cin, cout, 4, stride=stride, padding=1, bias=not use_spectral_norm
            )
            if use_spectral_norm:
                conv = nn.utils.spectral_norm(conv)
            self.add_module(f'conv{i}', conv)
        if attention_after not in (1, 2, 3, 4):
            raise ValueError(
                f'PatchDiscriminator attention_after must be 1..4, got '
                f'{attention_after!r}'
            )
        self.attention_after = attention_after
        self.attn = None
        if attention is not None:
            width = specs[attention_after - 1][1]
            self.attn = MODELS.build(attention, default_args=dict(channels=width))
        self._official_init()

    @property
    def convs(self) -> list[nn.Conv2d]:
        """The five convolutions in order."""
        return [getattr(self, f'conv{i}') for i in range(1, 6)]

    def _official_init(self, gain: float = 0.02) -> None:
        for conv in self.convs:
            normal_init_(conv, 0.0, gain)
        if self.attn is not None:
            for m in self.attn.modules():
                if isinstance(m, nn.Conv2d):
                    normal_init_(m, 0.0, gain)

    def init_weights(self) -> None:
        """N(0, 0.02) weights and zero biases, or MMEngine's ``init_cfg`` if set."""
        if self.init_cfg is not None:
            super().init_weights()
        else:
            self._official_init()

    def forward(
        self, x: torch.Tensor, return_features: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """Score patches.

        Args:
            x (Tensor): (N, in_channels, H, W), images in [0, 1].
            return_features (bool): Also return the five conv outputs (after their
                activations and the attention layer, if any; the last one is the
                pre-sigmoid map). Defaults to False.

        Returns:
            Tensor | tuple[Tensor, list[Tensor]]: (N, 1, h, w) score map
            (sigmoid-squashed if ``use_sigmoid``), and optionally the features.
        """
        feats = []
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if i < 4:
                x = F.leaky_relu(x, 0.2)
            if self.attn is not None and i + 1 == self.attention_after:
                x = self.attn(x)
            feats.append(x)
        out = torch.sigmoid(x) if self.use_sigmoid else x
        return (out, feats) if return_features else out
