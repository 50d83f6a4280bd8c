"""Channel ("transposed") attention: Restormer MDTA and HINT's SCAL.

Attention slot contract: ``__init__(dim, num_heads, ...)`` and
``forward(x: (N, C, H, W)) -> (N, C, H, W)``. ``size_divisor`` is the factor H
and W must be divisible by (SCAL pools by 2).
"""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.layers.fused_cpu import depthwise_conv, use_fused_cpu
from inpaintzoo.models.layers.fused_cpu_pointwise import (
    pointwise_conv,
    pointwise_depthwise,
)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

_NORM_EPS = 1e-12  # F.normalize's default, as the official code


@MODELS.register_module()
class ChannelAttention(BaseModule):
    """Restormer-style transposed attention over channels (no spatial gate).

    ``qkv`` (1x1, C -> 3C) and ``qkv_dwconv`` (depth-wise 3x3) give q, k, v,
    reshaped head-major to (N, heads, C/heads, H*W). q and k are L2-normalised
    over space (eps 1e-12); ``A = softmax(q k^T * temperature)`` is a
    (C/heads) x (C/heads) map per head, and ``project_out`` (1x1) follows ``A v``.

    Args:
        dim (int): Channels C, divisible by ``num_heads``.
        num_heads (int): Number of heads.
        bias (bool): Bias of the 1x1 / depth-wise convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    size_divisor = 1

    def __init__(
        self, dim: int, num_heads: int, bias: bool = False, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_heads < 1 or dim % num_heads:
            raise ConfigError(
                f'num_heads must divide dim, got dim={dim}, num_heads={num_heads}'
            )
        self.num_heads = num_heads
        self.temperature = nn.Parameter(torch.ones(num_heads, 1, 1))
        self.qkv = nn.Conv2d(dim, dim * 3, 1, bias=bias)
        self.qkv_dwconv = nn.Conv2d(
            dim * 3, dim * 3, 3, padding=1, groups=dim * 3, bias=bias
        )
        self.project_out = nn.Conv2d(dim, dim, 1, bias=bias)

    #: ``forward`` takes ``residual`` (see ``blocks.add_residual``)
    fuses_residual = True

    def inference_path(self, x: torch.Tensor) -> bool:
        """Whether the CPU inference path runs (:func:`use_fused_cpu` for all)."""
        convs = (self.qkv, self.qkv_dwconv, self.project_out)
        params = [c.weight for c in convs] + [c.bias for c in convs]
        return use_fused_cpu(x, self.temperature, *params)

    def channel_attention(self, x: torch.Tensor) -> torch.Tensor:
        """Attention output before ``project_out``.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W) = ``A v`` for all heads. On the inference path a
            view into a buffer of this call (writable: callers may scale it in
            place).
        """
        if self.inference_path(x):
            return self._channel_attention_inference(x)
        n, c, h, w = x.shape
        qkv = depthwise_conv(self.qkv_dwconv, pointwise_conv(self.qkv, x)).reshape(
            n, 3, self.num_heads, -1, h * w
        )
        q, k, v = qkv.unbind(1)
        q = F.normalize(q, dim=-1, eps=_NORM_EPS)
        k = F.normalize(k, dim=-1, eps=_NORM_EPS)
        attn = (q @ k.transpose(-2, -1)) * self.temperature
        return (attn.softmax(dim=-1) @ v).reshape(n, c, h, w)

    def _channel_attention_inference(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`channel_attention` without autograd, same values to rounding.

        qkv and its depth-wise conv run in row bands; the norms of q and k divide
        the small (c x c) product instead of normalised copies being written; ``A
        v`` is written over q (no longer needed), one product per sample and head.
        """
        n, c, h, w = x.shape
        qkv = pointwise_depthwise(x, self.qkv, self.qkv_dwconv)
        q, k, v = qkv.view(n, 3, self.num_heads, -1, h * w).unbind(1)
        qn = torch.linalg.vector_norm(q, dim=-1).clamp_min(_NORM_EPS)
        kn = torch.linalg.vector_norm(k, dim=-1).clamp_min(_NORM_EPS)
        scale = self.temperature.detach() / (qn[..., :, None] * kn[..., None, :])
        attn = ((q @ k.transpose(-2, -1)) * scale).softmax(dim=-1)
        for i in range(n):
            for head in range(self.num_heads):
                torch.mm(attn[i, head], v[i, head], out=q[i, head])
        return q.view(n, c, h, w)

    def forward(
        self, x: torch.Tensor, residual: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Attend over channels.

        Args:
            x (Tensor): (N, C, H, W).
            residual (Tensor, optional): (N, C, H, W) added to the output.

        Returns:
            Tensor: (N, C, H, W).
        """
        return pointwise_conv(self.project_out, self.channel_attention(x), residual)


@MODELS.register_module()
class SpatialGate(BaseModule):
    """SCAL's spatial branch: avg-pool 2 -> (conv3x3 -> CLN -> ReLU) x 2 -> nearest x2.

    The output is non-negative and unbounded (no sigmoid), as in the official code.
    H and W must be even (:attr:`size_divisor`).

    Args:
        dim (int): Channels C.
        norm (dict, optional): Norm config built with ``dim``. Defaults to
            ``dict(type='ChannelLayerNorm')`` (WithBias).
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    size_divisor = 2

    def __init__(
        self, dim: int, norm: dict | None = None, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        norm = norm if norm is not None else dict(type='ChannelLayerNorm')
        self.conv1 = nn.Conv2d(dim, dim, 3, padding=1, bias=True)
        self.norm1 = MODELS.build(norm, default_args=dict(dim=dim))
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1, bias=True)
        self.norm2 = MODELS.build(norm, default_args=dict(dim=dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute the gate.

        Args:
            x (Tensor): (N, C, H, W), H and W even.

        Returns:
            Tensor: (N, C, H, W), >= 0.
        """
        return F.interpolate(self.half_resolution(x), size=x.shape[-2:], mode='nearest')

    def half_resolution(self, x: torch.Tensor) -> torch.Tensor:
        """The gate before the nearest x2 up-sampling.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H // 2, W // 2), >= 0.
        """
        s = F.avg_pool2d(x, 2)
        s = F.relu(self.norm1(self.conv1(s)))
        return F.relu(self.norm2(self.conv2(s)))


@MODELS.register_module()
class SCAL(ChannelAttention):
    """Spatially-activated channel attention of HINT (reference-models §2.2).

    ``project_out(channel_attention(x) * spatial(x))``: the channel attention of
    :class:`ChannelAttention` multiplied by the spatial branch computed on the
    same (normalised) input. The spatial branch is a slot (contract
    ``(N, C, H, W) -> (N, C, H, W)``, built with ``dim``); HINT's is
    :class:`SpatialGate`, the thesis ablations put T-former's gate
    (:class:`ConvGELUGate`, Table 4.4 E) or full spatial self-attention
    (:class:`SpatialSelfAttention`, Table 4.10) there.

    Args:
        dim (int): Channels C, divisible by ``num_heads``.
        num_heads (int): Number of heads.
        bias (bool): Bias of the attention convolutions (the spatial branch always
            has biases). Defaults to False.
        spatial_norm (dict, optional): Norm config of the default spatial branch
            (:class:`SpatialGate`). Defaults to ``dict(type='ChannelLayerNorm')``.
        spatial (dict, optional): Spatial-branch config, built with ``dim``.
            Defaults to ``dict(type='SpatialGate', norm=spatial_norm)``; give
            either this or ``spatial_norm``.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int,
        bias: bool = False,
        spatial_norm: dict | None = None,
        spatial: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(dim, num_heads, bias=bias, init_cfg=init_cfg)
        if spatial is not None and spatial_norm is not None:
            raise ConfigError(
                'SCAL: spatial_norm only configures the default SpatialGate branch; '
                f'with spatial={spatial!r} put the norm into the spatial config'
            )
        if spatial is None:
            spatial = dict(type='SpatialGate', norm=spatial_norm)
        self.spatial = MODELS.build(spatial, default_args=dict(dim=dim))
        self.size_divisor = int(getattr(self.spatial, 'size_divisor', 1))

    def forward(
        self, x: torch.Tensor, residual: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Attend over channels, gated by the spatial branch.

        Args:
            x (Tensor): (N, C, H, W), H and W even.
            residual (Tensor, optional): (N, C, H, W) added to the output.

        Returns:
            Tensor: (N, C, H, W).
        """
        n, c, h, w = x.shape
        if not (
            isinstance(self.spatial, SpatialGate)
            # a subclass may change the gate only through half_resolution
            and type(self.spatial).forward is SpatialGate.forward
            and h % 2 == 0
            and w % 2 == 0
            and self.inference_path(x)
        ):
            gated = self.channel_attention(x) * self.spatial(x)
            return pointwise_conv(self.project_out, gated, residual)
        # inference: scale the attention output in place by the half-resolution
        # gate broadcast over 2x2 pixels (= its nearest x2 up-sampling)
        gate = self.spatial.half_resolution(x)
        out = self._channel_attention_inference(x)  # inference_path checked above
        out.view(n, c, h // 2, 2, w // 2, 2).mul_(gate.view(n, c, h // 2, 1, w // 2, 1))
        return pointwise_conv(self.project_out, out, residual)
