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
* :func:`pointwise_conv` runs a 1x1 convolution as matrix products
  ``W @ x[i].view(C, H*W)`` on the NCHW map (no layout conversion).

It is used only where it cannot change training: float32 CPU tensors, autograd
off for them (``torch.no_grad`` / ``inference_mode``, or nothing requires grad),
not while ``torch.jit`` traces or ``torch.compile`` compiles, and not when
``$INPAINTZOO_CPU_KERNELS=off``. Everywhere else the layers run their PyTorch ops.
The results equal PyTorch's to float32 rounding (summation order; the GELU's
erfc has a fractional error below 1.2e-7).
"""

from __future__ import annotations

import ctypes
import os

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inpaintzoo.models.ssm.cpu_kernel import Dw2dArgs, LnArgs, load_kernel

ENV_VAR = 'INPAINTZOO_CPU_KERNELS'


def kernels_enabled() -> bool:
    """False when ``$INPAINTZOO_CPU_KERNELS`` is ``off`` / ``0`` / ``false``.

    Raises:
        ValueError: the variable holds anything else than on/off words.
    """
    value = os.environ.get(ENV_VAR, 'on').strip().lower() or 'on'
    if value in ('on', '1', 'true', 'auto'):
        return True
    if value in ('off', '0', 'false'):
        return False
    raise ValueError(f'${ENV_VAR} must be on or off, got {value!r}')


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

    Returns:
        Tensor: (N, C, R, W), or (N, C/2, R, W) with ``gate``; contiguous
        (R = H, or ``r1 - r0``).

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
    out = torch.empty((n, c // 2 if gate else c, r1 - r0, w), dtype=torch.float32)
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
    )
    if lib.dw3x3_f32(ctypes.byref(args), torch.get_num_threads()) != 0:
        raise MemoryError('depthwise3x3: a row buffer could not be allocated')
    return out


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


def is_pointwise(conv: nn.Conv2d) -> bool:
    """Whether ``conv`` is a dense 1x1, stride-1, unpadded convolution."""
    return (
        conv.kernel_size == (1, 1)
        and conv.stride == (1, 1)
        and conv.padding == (0, 0)
        and conv.groups == 1
    )


def pointwise_conv(conv: nn.Conv2d, x: Tensor) -> Tensor:
    """``conv(x)`` for a 1x1 ``conv``; one matrix product per sample where allowed.

    Args:
        conv (nn.Conv2d): any convolution (only dense 1x1 ones take the fast path).
        x (Tensor): (N, C_in, H, W).

    Returns:
        Tensor: (N, C_out, H, W); contiguous NCHW on the fast path.
    """
    if not (is_pointwise(conv) and use_fused_cpu(x, conv.weight, conv.bias)):
        return conv(x)
    n, c, h, w = x.shape
    weight = conv.weight.detach().reshape(conv.out_channels, c)
    flat = x.contiguous().view(n, c, h * w)
    out = torch.empty((n, conv.out_channels, h * w), dtype=x.dtype)
    # one product per sample: the same GEMM path whatever the batch size, so a
    # picture gives the same numbers alone or in a batch
    for i in range(n):
        if conv.bias is None:
            torch.mm(weight, flat[i], out=out[i])
        else:
            torch.addmm(conv.bias.detach()[:, None], weight, flat[i], out=out[i])
    return out.view(n, conv.out_channels, h, w)


#: bytes of one band of the gated FFN's hidden map (2h x rows x W float32): small
#: enough to stay in the last-level cache between the three steps
FFN_BAND_BYTES = 6 << 20


def gated_ffn(
    x: Tensor, project_in: nn.Conv2d, dwconv: nn.Conv2d, project_out: nn.Conv2d
) -> Tensor:
    """``project_out(GELU(a) * b)``, ``a, b = dwconv(project_in(x))``, in row bands.

    The hidden map (2h channels, up to 510 at full resolution in HINT) is never
    held whole: for each band of rows, ``project_in`` runs on the band and one
    halo row on each side, the fused depth-wise + gate kernel makes the band's h
    gated channels and ``project_out`` writes the band's output rows, all while
    the band is in the cache. Only where :func:`use_fused_cpu` allows and the
    convolutions are a dense 1x1, a depth-wise 3x3 and a dense 1x1 (else the
    PyTorch ops run).

    Args:
        x (Tensor): (N, C, H, W).
        project_in (nn.Conv2d): 1x1, C -> 2h.
        dwconv (nn.Conv2d): depth-wise 3x3 on 2h channels.
        project_out (nn.Conv2d): 1x1, h -> C_out.

    Returns:
        Tensor: (N, C_out, H, W).
    """
    fits = (
        is_pointwise(project_in)
        and is_depthwise3x3(dwconv)
        and is_pointwise(project_out)
        and dwconv.in_channels == project_in.out_channels == 2 * project_out.in_channels
    )
    params = [m.weight for m in (project_in, dwconv, project_out)]
    params += [m.bias for m in (project_in, dwconv, project_out)]
    if not (fits and use_fused_cpu(x, *params)):
        hidden = gated_depthwise_conv(dwconv, pointwise_conv(project_in, x))
        return pointwise_conv(project_out, hidden)
    n, c, h, w = x.shape
    wide, c_out = project_in.out_channels, project_out.out_channels
    w_in = project_in.weight.detach().reshape(wide, c)
    w_out = project_out.weight.detach().reshape(c_out, wide // 2)
    b_in = None if project_in.bias is None else project_in.bias.detach()[:, None]
    b_out = None if project_out.bias is None else project_out.bias.detach()[:, None]
    band = max(1, FFN_BAND_BYTES // (wide * w * 4) - 2)
    x = x.contiguous()
    out = torch.empty((n, c_out, h, w), dtype=x.dtype)
    for i in range(n):
        src, dst = x[i].view(c, h * w), out[i].view(c_out, h * w)
        for r0 in range(0, h, band):
            r1 = min(h, r0 + band)
            a0, a1 = max(0, r0 - 1), min(h, r1 + 1)  # with the halo rows
            cols = src[:, a0 * w : a1 * w]
            if b_in is None:
                hid = torch.mm(w_in, cols)
            else:
                hid = torch.addmm(b_in, w_in, cols)
            gated = depthwise3x3(
                hid.view(1, wide, a1 - a0, w),
                dwconv.weight,
                dwconv.bias,
                gate=True,
                rows=(r0 - a0, r1 - a0),
            ).view(wide // 2, (r1 - r0) * w)
            rows_out = dst[:, r0 * w : r1 * w]
            if b_out is None:
                torch.mm(w_out, gated, out=rows_out)
            else:
                torch.addmm(b_out, w_out, gated, out=rows_out)
    return out
