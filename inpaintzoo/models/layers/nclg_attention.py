"""Short+long-range attention of NCLG-MT (reference-models §5.2 ``Auto_Attn``)."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.nclg_res_blocks import SNResBlock
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class ShortLongAttention(BaseModule):
    """Self-attention whose key is its query, plus a mask-weighted copy of a skip.

    With ``q = query(x)`` reshaped to ``(B, C/4, N)`` (``N = H*W``), the attention
    is ``A = softmax(q^T q)`` over the last axis (``(B, N, N)``) and the value is
    ``x`` itself: ``out = gamma * x A^T + x``. Without ``pre`` that is the output.
    With ``pre`` (an encoder feature of the same size) and the hole mask ``M``
    (1 = hole, soft at this scale), ``cf = alpha * M * (pre A^T) + (1 - M) * pre``
    and the output is ``fuse(cat(out, cf))``. ``gamma`` and ``alpha`` are scalars
    initialised to 0.

    Shapes: ``x, pre: (B, C, H, W)``, ``mask: (B, 1, H, W)`` -> ``(B, C, H, W)``.
    Cost: an ``N x N`` attention matrix per sample (4096^2 at 64^2).

    Args:
        channels (int): Channels ``C`` (divisible by 4).
        use_spectral_norm (bool): Spectral norm in the fusion block. Defaults to True.
        with_skip (bool): Build ``alpha`` and the fusion block for the ``pre``
            path. Defaults to True. NCLG-MT's discriminator calls the attention
            without ``pre`` (its official ``alpha``/``model`` weights are dead), so
            its slot sets False and ``pre`` is then refused.
    """

    def __init__(
        self, channels: int, use_spectral_norm: bool = True, with_skip: bool = True
    ) -> None:
        super().__init__()
        self.with_skip = with_skip
        self.query = nn.Conv2d(channels, channels // 4, 1)
        self.gamma = nn.Parameter(torch.zeros(1))
        if with_skip:
            self.alpha = nn.Parameter(torch.zeros(1))
            self.fuse = SNResBlock(
                2 * channels, channels, channels, use_spectral_norm=use_spectral_norm
            )

    def forward(
        self,
        x: torch.Tensor,
        pre: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Attend over all positions.

        Args:
            x (Tensor): ``(B, C, H, W)`` feature to attend over.
            pre (Tensor, optional): ``(B, C, H, W)`` skip feature copied by the
                same attention into the holes.
            mask (Tensor, optional): ``(B, 1, H, W)`` hole mask, 1 = hole;
                required with ``pre``.

        Returns:
            Tensor: ``(B, C, H, W)``.
        """
        b, c, h, w = x.shape
        q = self.query(x).view(b, -1, h * w)
        attn = torch.softmax(torch.bmm(q.permute(0, 2, 1), q), dim=-1)
        out = torch.bmm(x.view(b, c, h * w), attn.permute(0, 2, 1)).view(b, c, h, w)
        out = self.gamma * out + x
        if pre is None:
            return out
        if not self.with_skip:
            raise ValueError(
                'ShortLongAttention(with_skip=False) has no fusion block: call it '
                'without `pre`'
            )
        if mask is None:
            raise ValueError('ShortLongAttention: `mask` is required with `pre`')
        flow = torch.bmm(pre.view(b, -1, h * w), attn.permute(0, 2, 1))
        flow = flow.view(b, -1, h, w)
        flow = self.alpha * mask * flow + (1 - mask) * pre
        return self.fuse(torch.cat([out, flow], dim=1))
