"""Mamba v1 block with mamba-ssm's ``Mamba`` parameter names and initialisation.

See reference-models §1.5. Official MxT / SEM-Net checkpoints (``...mamba.A_log``,
``...mamba.in_proj.weight``, ...) load into :class:`MambaBlock` one-to-one.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from inpaintzoo.models.ssm.scan_dispatch import (
    choose_scan_backend,
    load_causal_conv1d_fn,
    load_mamba_inner_fn,
    selective_scan_fn,
    use_cuda_kernels,
)
from inpaintzoo.models.ssm.scan_fused import causal_conv_silu_fused
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


@MODELS.register_module()
class MambaBlock(BaseModule):
    """Unidirectional Mamba v1 layer mapping (B, L, d_model) -> (B, L, d_model).

    ``x, z = in_proj(u)``; ``x = silu(causal_dwconv(x))``; ``dt, B, C =
    x_proj(x)``; ``delta = softplus(dt_proj.weight @ dt + dt_proj.bias)``;
    ``y = scan(x, delta, A=-exp(A_log), B, C) + D*x``; ``out = out_proj(y *
    silu(z))``. fp16/bf16 inputs run in float32 with autocast off and are cast
    back; float64 inputs run in float64.

    Args:
        d_model (int): Token width C.
        d_state (int): State size N. Defaults to 16.
        d_conv (int): Causal depth-wise conv kernel. Defaults to 4.
        expand (int): ``d_inner = expand * d_model``. Defaults to 2.
        dt_rank (int | str): Rank of the delta projection; ``'auto'`` =
            ``ceil(d_model / 16)``. Defaults to ``'auto'``.
        dt_min (float): Lower end of the initial delta range. Defaults to 1e-3.
        dt_max (float): Upper end of the initial delta range. Defaults to 0.1.
        dt_init (str): ``'random'`` (uniform) or ``'constant'`` dt_proj weight.
        dt_scale (float): Scale of the dt_proj weight init. Defaults to 1.0.
        dt_init_floor (float): Floor of the initial delta. Defaults to 1e-4.
        conv_bias (bool): Bias of the depth-wise conv. Defaults to True.
        bias (bool): Bias of in_proj / out_proj. Defaults to False.
        use_fast_path (bool): Use mamba-ssm's fused ``mamba_inner_fn`` when on
            CUDA and installed (with causal-conv1d). Defaults to True.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        d_model: int,
        d_state: int = 16,
        d_conv: int = 4,
        expand: int = 2,
        dt_rank: int | str = 'auto',
        dt_min: float = 0.001,
        dt_max: float = 0.1,
        dt_init: str = 'random',
        dt_scale: float = 1.0,
        dt_init_floor: float = 1e-4,
        conv_bias: bool = True,
        bias: bool = False,
        use_fast_path: bool = True,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if dt_init not in ('random', 'constant'):
            raise ConfigError(
                f"dt_init must be 'random' or 'constant', got {dt_init!r}"
            )
        if dt_rank != 'auto' and not (isinstance(dt_rank, int) and dt_rank > 0):
            raise ConfigError(
                f"dt_rank must be 'auto' or a positive int, got {dt_rank!r}"
            )
        self.d_model = d_model
        self.d_state = d_state
        self.d_conv = d_conv
        self.expand = expand
        self.d_inner = int(expand * d_model)
        self.dt_rank = math.ceil(d_model / 16) if dt_rank == 'auto' else dt_rank
        self.use_fast_path = use_fast_path
        d_inner = self.d_inner
        # creation order = mamba-ssm's, so a seeded init draws the same numbers
        self.in_proj = nn.Linear(d_model, 2 * d_inner, bias=bias)
        self.conv1d = nn.Conv1d(
            d_inner, d_inner, d_conv, groups=d_inner, padding=d_conv - 1, bias=conv_bias
        )
        self.act = nn.SiLU()
        self.x_proj = nn.Linear(d_inner, self.dt_rank + 2 * d_state, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, d_inner, bias=True)
        self._init_dt_proj(dt_init, dt_scale, dt_min, dt_max, dt_init_floor)
        a_init = torch.arange(1, d_state + 1, dtype=torch.float32).repeat(d_inner, 1)
        self.A_log = nn.Parameter(torch.log(a_init))
        self.A_log._no_weight_decay = True
        self.D = nn.Parameter(torch.ones(d_inner))
        self.D._no_weight_decay = True
        self.out_proj = nn.Linear(d_inner, d_model, bias=bias)

    def _init_dt_proj(
        self, dt_init: str, dt_scale: float, dt_min: float, dt_max: float, floor: float
    ) -> None:
        std = self.dt_rank**-0.5 * dt_scale
        if dt_init == 'constant':
            nn.init.constant_(self.dt_proj.weight, std)
        else:
            nn.init.uniform_(self.dt_proj.weight, -std, std)
        log_dt = torch.rand(self.d_inner) * (math.log(dt_max) - math.log(dt_min))
        dt = torch.exp(log_dt + math.log(dt_min)).clamp(min=floor)
        inv_dt = dt + torch.log(-torch.expm1(-dt))  # inverse of softplus
        with torch.no_grad():
            self.dt_proj.bias.copy_(inv_dt)
        self.dt_proj.bias._no_reinit = True

    def forward(self, u: Tensor) -> Tensor:
        """Run the Mamba layer.

        Args:
            u (Tensor): (B, L, d_model).

        Returns:
            Tensor: (B, L, d_model), same dtype as ``u``.
        """
        if u.dim() != 3 or u.shape[-1] != self.d_model:
            raise ValueError(
                f'MambaBlock expects (batch, length, {self.d_model}); '
                f'got {tuple(u.shape)}'
            )
        out_dtype = u.dtype
        dtype = torch.float64 if u.dtype == torch.float64 else torch.float32
        with torch.autocast(device_type=u.device.type, enabled=False):
            out = self._forward(u.to(dtype))
        return out.to(out_dtype)

    def _w(self, p: Tensor | None, dtype: torch.dtype) -> Tensor | None:
        return None if p is None else p.to(dtype)

    def _forward(self, u: Tensor) -> Tensor:
        dtype, length = u.dtype, u.shape[1]
        if not use_cuda_kernels(u):
            return self._forward_channels_last(u)
        xz = F.linear(
            u, self.in_proj.weight.to(dtype), self._w(self.in_proj.bias, dtype)
        )
        xz = xz.transpose(1, 2)  # (B, 2*d_inner, L)
        A = -torch.exp(self.A_log.to(dtype))  # (d_inner, N)
        if self.use_fast_path:
            inner = load_mamba_inner_fn()
            if inner is not None and load_causal_conv1d_fn() is not None:
                w = self._w
                return inner(
                    xz.contiguous(),
                    w(self.conv1d.weight, dtype),
                    w(self.conv1d.bias, dtype),
                    w(self.x_proj.weight, dtype),
                    w(self.dt_proj.weight, dtype),
                    w(self.out_proj.weight, dtype),
                    w(self.out_proj.bias, dtype),
                    A,
                    None,
                    None,
                    self.D.float(),
                    delta_bias=self.dt_proj.bias.float(),
                    delta_softplus=True,
                )
        x, z = xz.chunk(2, dim=1)
        x = self._causal_conv(x, dtype, length)
        x_dbl = F.linear(
            x.transpose(1, 2), self.x_proj.weight.to(dtype)
        )  # (B, L, R+2N)
        dt, b_mat, c_mat = torch.split(
            x_dbl, [self.dt_rank, self.d_state, self.d_state], dim=-1
        )
        delta = (dt @ self.dt_proj.weight.to(dtype).t()).transpose(1, 2)  # (B, Di, L)
        y = selective_scan_fn(
            x,
            delta,
            A,
            b_mat.transpose(1, 2).contiguous(),
            c_mat.transpose(1, 2).contiguous(),
            self.D.to(dtype),
            z=z,
            delta_bias=self.dt_proj.bias.to(dtype),
            delta_softplus=True,
        )
        return F.linear(
            y.transpose(1, 2),
            self.out_proj.weight.to(dtype),
            self._w(self.out_proj.bias, dtype),
        )

    def _forward_channels_last(self, u: Tensor) -> Tensor:
        """PyTorch path kept in (B, L, C) layout: no transposes are materialised.

        Every (B, Di, L) tensor handed to the scan is a transposed view of a
        (B, L, Di) tensor, which is the layout the chunked scan steps through;
        ``dt_proj``'s bias is fused into its matmul and the softplus into the scan.

        Args:
            u (Tensor): (B, L, d_model) in the compute dtype.

        Returns:
            Tensor: (B, L, d_model).
        """
        dtype, w = u.dtype, self._w
        A = -torch.exp(self.A_log.to(dtype))  # (Di, N)
        xz = F.linear(u, self.in_proj.weight.to(dtype), w(self.in_proj.bias, dtype))
        x, z = xz.chunk(2, dim=-1)  # (B, L, Di) views
        x = self._causal_conv_cl(x, dtype)
        x_dbl = F.linear(x, self.x_proj.weight.to(dtype))  # (B, L, R+2N)
        dt, b_mat, c_mat = torch.split(
            x_dbl, [self.dt_rank, self.d_state, self.d_state], dim=-1
        )
        # (B, L, Di) before softplus, which the scan applies (fused on CPU)
        delta = F.linear(dt, w(self.dt_proj.weight, dtype), w(self.dt_proj.bias, dtype))
        y = selective_scan_fn(
            x.transpose(1, 2),
            delta.transpose(1, 2),
            A,
            b_mat.transpose(1, 2),
            c_mat.transpose(1, 2),
            self.D.to(dtype),
            z=z.transpose(1, 2),
            delta_softplus=True,
        )
        return F.linear(
            y.transpose(1, 2),
            self.out_proj.weight.to(dtype),
            w(self.out_proj.bias, dtype),
        )

    def _causal_conv(self, x: Tensor, dtype: torch.dtype, length: int) -> Tensor:
        """Depth-wise causal conv + SiLU on (B, Di, L), the mamba-ssm layout.

        Used by the CUDA path without the fused ``mamba_inner_fn``:
        causal-conv1d's ``causal_conv1d_fn`` when installed and ``x`` is on CUDA,
        else ``F.conv1d`` padded by ``d_conv - 1`` and cut to ``length``.

        Args:
            x (Tensor): (B, Di, L) in the compute dtype.
            dtype (torch.dtype): compute dtype of the weights.
            length (int): L.

        Returns:
            Tensor: (B, Di, L).
        """
        weight = self.conv1d.weight.to(dtype)  # (Di, 1, K)
        bias = self._w(self.conv1d.bias, dtype)
        conv_fn = load_causal_conv1d_fn() if x.is_cuda else None
        if conv_fn is not None:
            return conv_fn(x.contiguous(), weight[:, 0], bias, activation='silu')
        out = F.conv1d(x, weight, bias, padding=self.d_conv - 1, groups=self.d_inner)
        return F.silu(out[..., :length])

    def _causal_conv_cl(self, x: Tensor, dtype: torch.dtype) -> Tensor:
        """Depth-wise causal conv + SiLU on (B, L, Di).

        Inference on CPU uses the fused C kernel (one pass); otherwise ``d_conv``
        shifted FMAs (autograd-ready).
        """
        if not torch.is_grad_enabled() and choose_scan_backend(x, 1) == 'fused':
            return causal_conv_silu_fused(x, self.conv1d.weight, self.conv1d.bias)
        weight = self.conv1d.weight.to(dtype)[:, 0]  # (Di, K)
        k = self.d_conv
        out = x * weight[:, k - 1]
        if self.conv1d.bias is not None:
            out.add_(self.conv1d.bias.to(dtype))
        length = x.shape[1]
        for shift in range(1, min(k, length)):
            out[:, shift:].addcmul_(x[:, : length - shift], weight[:, k - 1 - shift])
        return F.silu(out, inplace=not torch.is_grad_enabled())
