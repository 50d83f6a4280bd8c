"""Fused CPU inference paths of the channels-first (NCHW) transformer layers.

HINT's forward (and the FFNs / norms of MxT and SEM-Net) spent most of its time
outside matrix products: in the depth-wise 3x3 convolutions of the gated FFNs (up
to 510 channels at full resolution) and the ``GELU(a) * b`` gate after them, each
writing and re-reading a full-size map; in the channel LayerNorm's permutes to
channels-last and back (whose strided output then sent the next 1x1 convolution
down a slow path); and in 1x1 convolutions that oneDNN runs below matrix-product
speed on NCHW maps. Here:

* :func:`depthwise3x3` runs the depth-wise convolution, and with ``gate=True``
  the gate too, in one pass of the C kernel ``csrc/layers2d_cpu.h`` (compiled
  and verified with the selective-scan kernel, see
  :mod:`inpaintzoo.models.ssm.cpu_kernel`);
* :func:`channel_layer_norm` normalises over the channels of an NCHW map in place
  of the layout it has (one read, one write, contiguous NCHW out);
* :mod:`~inpaintzoo.models.layers.fused_cpu_pointwise` runs 1x1 convolutions as
  matrix products ``W @ x[i].view(C, H*W)`` on the NCHW map (no layout
  conversion), alone or fused with the depth-wise convolution and gate after
  them (the gated FFN).

It is used only where it cannot change training: float32 CPU tensors, autograd
off for them (``torch.no_grad`` / ``inference_mode``, or nothing requires grad),
not while ``torch.jit`` traces or ``torch.compile`` compiles, and not when
``$INPAINTZOO_CPU_KERNELS=off``. Everywhere else the layers run their PyTorch ops.
The results equal PyTorch's to float32 rounding (summation order; the GELU's
erfc has a fractional error below 1.2e-7).
"""

from __future__ import annotations

import ctypes

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.models.ssm.kernel_abi import Dw2dArgs, LnArgs
from inpaintzoo.utils.env_switch import env_switch

ENV_VAR = 'INPAINTZOO_CPU_KERNELS'


def kernels_enabled() -> bool:
    """False when ``$INPAINTZOO_CPU_KERNELS`` is ``off`` / ``0`` / ``false``.

    Raises:
        ConfigError: the variable holds anything else than on/off words.
    """
    return env_switch(ENV_VAR)


def use_fused_cpu(x: Tensor, *params: Tensor | None) -> bool:
    """Whether :func:`depthwise3x3` may replace the PyTorch ops for ``x``.

    Args:
        x (Tensor): the layer input.
        *params (Tensor | None): the layer's parameters (None entries ignored).

    Returns:
        bool: float32 CPU input, no autograd through ``x`` or ``params``, no
        tracing or compiling, kernels enabled and the C kernel loadable.
    """
    if x.device.type != 'cpu' or x.dtype != torch.float32 or x.dim() != 4:
        return False
    if torch.jit.is_tracing() or torch.compiler.is_compiling():
        return False
    if torch.is_grad_enabled() and (
        x.requires_grad or any(p is not None and p.requires_grad for p in params)
    ):
        return False
    return kernels_enabled() and load_kernel() is not None


def _kernel_operands(
    x: Tensor, weight: Tensor, bias: Tensor | None
) -> tuple[ctypes.CDLL, Tensor, Tensor, Tensor | None]:
    """The loaded kernel and contiguous, detached float32 ``x``, weight and bias.

    Raises:
        RuntimeError: the kernel is not available (check :func:`use_fused_cpu`).
    """
    lib = load_kernel()
    if lib is None:
        raise RuntimeError('the fused CPU kernel is not available (see the warning)')
    weight = weight.detach().to(torch.float32).contiguous()
    if bias is not None:
        bias = bias.detach().to(torch.float32).contiguous()
    return lib, x.detach().contiguous(), weight, bias


def _depthwise_fits(conv: nn.Conv2d, x: Tensor) -> bool:
    """``conv`` is a depth-wise 3x3 and the fused kernel may run on ``x``."""
    return is_depthwise3x3(conv) and use_fused_cpu(x, conv.weight, conv.bias)


def depthwise3x3(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    gate: bool = False,
    rows: tuple[int, int] | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """Depth-wise 3x3 convolution (zero padding 1), optionally with the GELU gate.

    Args:
        x (Tensor): (N, C, H, W) float32 on the CPU.
        weight (Tensor): (C, 1, 3, 3) depth-wise kernel.
        bias (Tensor, optional): (C,).
        gate (bool): Return ``gelu(y[:, :C/2]) * y[:, C/2:]`` of the convolution
            ``y`` (exact erf GELU) instead of ``y``; C must be even.
        rows (tuple[int, int], optional): Only output rows ``r0 .. r1 - 1``
            (``(r0, r1)``), zero padding still outside rows 0 .. H - 1 (for
            bands of a taller map given with their halo rows). Defaults to all.
        out (Tensor, optional): where to write the result: float32 (N, C or C/2,
            R, W) with contiguous rows and planes, planes any distance apart
            (e.g. rows ``r0:r1`` of a full map). Defaults to a new tensor.

    Returns:
        Tensor: (N, C, R, W), or (N, C/2, R, W) with ``gate`` (R = H, or
        ``r1 - r0``); ``out``, or a new contiguous tensor.

    Raises:
        ValueError: shapes that do not fit, or ``gate`` with an odd C.
        RuntimeError: the kernel is not available (check
            :func:`use_fused_cpu` first).
        MemoryError: a row buffer could not be allocated.
    """
    n, c, h, w = x.shape
    if tuple(weight.shape) != (c, 1, 3, 3):
        raise ValueError(
            f'depthwise3x3 needs a ({c}, 1, 3, 3) weight for {c} channels, '
            f'got {tuple(weight.shape)}'
        )
    if bias is not None and tuple(bias.shape) != (c,):
        raise ValueError(f'depthwise3x3 bias must be ({c},), got {tuple(bias.shape)}')
    if gate and c % 2:
        raise ValueError(f'depthwise3x3 gate needs an even channel count, got {c}')
    r0, r1 = rows if rows is not None else (0, h)
    if not 0 <= r0 < r1 <= h:
        raise ValueError(f'depthwise3x3 rows need 0 <= r0 < r1 <= {h}, got {rows}')
    lib, x, wt, bt = _kernel_operands(x, weight, bias)
    shape = (n, c // 2 if gate else c, r1 - r0, w)
    if out is None:
        out = torch.empty(shape, dtype=torch.float32)
    elif not _plane_strided(out, shape):
        raise ValueError(
            f'depthwise3x3 out must be float32 {shape} with contiguous rows and '
            f'planes, got {tuple(out.shape)} {out.dtype} strides {out.stride()}'
        )
    args = Dw2dArgs(
        x.data_ptr(),
        wt.data_ptr(),
        None if bt is None else bt.data_ptr(),
        out.data_ptr(),
        n,
        c,
        h,
        w,
        int(gate),
        r0,
        r1 - r0,
        out.stride(1),
    )
    if lib.dw3x3_f32(ctypes.byref(args), torch.get_num_threads()) != 0:
        raise MemoryError('depthwise3x3: a row buffer could not be allocated')
    return out


def _plane_strided(out: Tensor, shape: tuple[int, ...]) -> bool:
    """Whether ``out`` can take the depth-wise kernel's result of ``shape``.

    Float32 CPU, rows contiguous within each plane, planes evenly spaced at least
    a plane apart, samples ``C`` planes apart.
    """
    n, c, r, w = shape
    if tuple(out.shape) != shape or out.dtype != torch.float32:
        return False
    s0, s1, s2, s3 = out.stride()
    return (
        out.device.type == 'cpu'
        and (s3 == 1 or w == 1)
        and (s2 == w or r == 1)
        and s1 >= r * w
        and (s0 == c * s1 or n == 1)
    )


def is_depthwise3x3(conv: nn.Conv2d) -> bool:
    """Whether ``conv`` is a 3x3, stride-1, zero-padded-by-1 depth-wise conv."""
    return (
        conv.kernel_size == (3, 3)
        and conv.stride == (1, 1)
        and conv.padding == (1, 1)
        and conv.dilation == (1, 1)
        and conv.padding_mode == 'zeros'
        and conv.groups == conv.in_channels == conv.out_channels
    )


def depthwise_conv(conv: nn.Conv2d, x: Tensor) -> Tensor:
    """``conv(x)``, through the fused kernel where :func:`use_fused_cpu` allows.

    Args:
        conv (nn.Conv2d): a depth-wise convolution (any other runs as PyTorch's).
        x (Tensor): (N, C, H, W).

    Returns:
        Tensor: (N, C, H, W).
    """
    if _depthwise_fits(conv, x):
        return depthwise3x3(x, conv.weight, conv.bias)
    return conv(x)


def gated_depthwise_conv(conv: nn.Conv2d, x: Tensor) -> Tensor:
    """``GELU(a) * b`` of ``a, b = conv(x).chunk(2, dim=1)`` (exact erf GELU).

    Args:
        conv (nn.Conv2d): a depth-wise convolution with an even channel count 2h.
        x (Tensor): (N, 2h, H, W).

    Returns:
        Tensor: (N, h, H, W).
    """
    if _depthwise_fits(conv, x):
        return depthwise3x3(x, conv.weight, conv.bias, gate=True)
    a, b = conv(x).chunk(2, dim=1)
    return F.gelu(a) * b


def channel_layer_norm(
    x: Tensor, weight: Tensor, bias: Tensor | None, eps: float, centre: bool = True
) -> Tensor:
    """LayerNorm over dim 1 of an NCHW float32 map (C kernel, contiguous output).

    Args:
        x (Tensor): (N, C, H, W) float32 on the CPU.
        weight (Tensor): (C,).
        bias (Tensor, optional): (C,), added after scaling.
        eps (float): Added to the (biased) variance.
        centre (bool): Subtract the mean before scaling (``WithBias``); False
            scales the raw values (``BiasFree``; the variance is still about the
            mean).

    Returns:
        Tensor: (N, C, H, W), contiguous.
    """
    n, c, h, w = x.shape
    lib, x, wt, bt = _kernel_operands(x, weight, bias)
    out = torch.empty_like(x)
    args = LnArgs(
        x.data_ptr(),
        wt.data_ptr(),
        None if bt is None else bt.data_ptr(),
        out.data_ptr(),
        n,
        c,
        h * w,
        int(centre),
        float(eps),
    )
    lib.ln_channels_f32(ctypes.byref(args), torch.get_num_threads())
    return out
