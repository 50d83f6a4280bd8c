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
from collections.abc import Iterator

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


def is_pointwise(conv: nn.Conv2d) -> bool:
    """Whether ``conv`` is a dense 1x1, stride-1, unpadded convolution."""
    return (
        conv.kernel_size == (1, 1)
        and conv.stride == (1, 1)
        and conv.padding == (0, 0)
        and conv.groups == 1
    )


def channel_columns(x: Tensor) -> Tensor:
    """The (N, C, H*W) matrix of a map, a view where the layout allows.

    A contiguous NCHW map gives its plain view; a channels-last one (e.g. a
    Mamba mixer's output) the transposed view of its (N, H*W, C) storage, which
    the matrix product reads as it is (no copy; the same numbers). Any other
    layout is copied to NCHW first.

    Args:
        x (Tensor): (N, C, H, W).

    Returns:
        Tensor: (N, C, H*W).
    """
    n, c, h, w = x.shape
    if not x.is_contiguous() and x.is_contiguous(memory_format=torch.channels_last):
        return x.permute(0, 2, 3, 1).reshape(n, h * w, c).transpose(1, 2)
    return x.contiguous().view(n, c, h * w)


def _product_into(
    out: Tensor,
    weight: Tensor,
    cols: Tensor,
    bias: Tensor | None,
    residual: Tensor | None,
) -> None:
    """``out = [residual +] weight @ cols [+ bias]`` without a temporary.

    Args:
        out (Tensor): (C_out, P) destination, contiguous.
        weight (Tensor): (C_out, C_in).
        cols (Tensor): (C_in, P).
        bias (Tensor, optional): (C_out, 1).
        residual (Tensor, optional): (C_out, P), not overlapping ``out``.
    """
    if residual is not None:
        torch.addmm(residual, weight, cols, out=out)
        if bias is not None:
            out.add_(bias)
    elif bias is not None:
        torch.addmm(bias, weight, cols, out=out)
    else:
        torch.mm(weight, cols, out=out)


def _fused_residual(residual: Tensor | None, shape: tuple[int, ...]) -> bool:
    """``residual`` can go inside the product: absent, or float32 CPU of ``shape``."""
    return residual is None or (
        tuple(residual.shape) == shape
        and residual.dtype == torch.float32
        and residual.device.type == 'cpu'
    )


def pointwise_conv(
    conv: nn.Conv2d,
    x: Tensor,
    residual: Tensor | None = None,
    weight: Tensor | None = None,
) -> Tensor:
    """``[residual +] conv(x)`` for a 1x1 ``conv``; one product per sample if allowed.

    Args:
        conv (nn.Conv2d): any convolution (only dense 1x1 ones take the fast path).
        x (Tensor): (N, C_in, H, W).
        residual (Tensor, optional): (N, C_out, H, W) added to the output; on the
            fast path inside the matrix product (no separate pass, no temporary).
        weight (Tensor, optional): (C_out, C_in[, 1, 1]) weight used instead of
            ``conv``'s, with its bias (columns of a wider 1x1 conv's weight);
            gradients reach it on the autograd path.

    Returns:
        Tensor: (N, C_out, H, W); contiguous NCHW on the fast path.
    """
    n, c, h, w = x.shape
    c_out = conv.out_channels
    if not (
        is_pointwise(conv)
        and use_fused_cpu(x, conv.weight, conv.bias, residual)
        and _fused_residual(residual, (n, c_out, h, w))
    ):
        if weight is None:
            out = conv(x)
        else:
            out = F.conv2d(x, weight.reshape(c_out, c, 1, 1), conv.bias)
        return out if residual is None else residual + out
    weight = (conv.weight if weight is None else weight).detach().reshape(c_out, c)
    bias = None if conv.bias is None else conv.bias.detach()[:, None]
    flat = channel_columns(x)
    res = None if residual is None else residual.contiguous().view(n, c_out, h * w)
    out = torch.empty((n, c_out, h * w), dtype=x.dtype)
    # one product per sample: the same GEMM path whatever the batch size, so a
    # picture gives the same numbers alone or in a batch
    for i in range(n):
        _product_into(out[i], weight, flat[i], bias, None if res is None else res[i])
    return out.view(n, c_out, h, w)


def pointwise_conv_concat(
    conv: nn.Conv2d, parts: list[Tensor], residual: Tensor | None = None
) -> Tensor:
    """``[residual +] conv(torch.cat(parts, dim=1))`` for a 1x1 ``conv``.

    On the fast path the concatenation is never made: each part is multiplied by
    its columns of the weight and accumulated into the output, which starts from
    the residual (one product per sample and part).

    Args:
        conv (nn.Conv2d): 1x1 convolution over the concatenated channels.
        parts (list[Tensor]): (N, C_j, H, W) each, sum of C_j = ``in_channels``.
        residual (Tensor, optional): (N, C_out, H, W) added to the output.

    Returns:
        Tensor: (N, C_out, H, W).
    """
    first = parts[0]
    n, _, h, w = first.shape
    c_out = conv.out_channels
    fits = (
        is_pointwise(conv)
        and sum(p.shape[1] for p in parts) == conv.in_channels
        and all(use_fused_cpu(p, conv.weight, conv.bias, residual) for p in parts)
        and all(p.shape[0] == n and p.shape[2:] == (h, w) for p in parts)
        and _fused_residual(residual, (n, c_out, h, w))
    )
    if not fits:
        out = conv(torch.cat(parts, dim=1))
        return out if residual is None else residual + out
    # the first part with the residual and bias, then the others accumulated
    c0 = first.shape[1]
    out = pointwise_conv(conv, first, residual, weight=conv.weight[:, :c0])
    weight = conv.weight.detach().reshape(c_out, conv.in_channels)
    acc = out.view(n, c_out, h * w)
    for part in parts[1:]:
        c1 = c0 + part.shape[1]
        flat = channel_columns(part)
        for i in range(n):
            acc[i].addmm_(weight[:, c0:c1], flat[i])
        c0 = c1
    return out


def pointwise_conv_with_half(conv: nn.Conv2d, full: Tensor, half: Tensor) -> Tensor:
    """``conv(cat(full, up2(half)))`` for a 1x1 ``conv``, ``up2`` nearest x2.

    A 1x1 convolution commutes with nearest up-sampling, so on the fast path the
    ``half`` part is multiplied at half resolution (a quarter of its products) and
    added over each 2x2 block in place; neither the up-sampled map nor the
    concatenation is made.

    Args:
        conv (nn.Conv2d): 1x1 over C_full + C_half channels.
        full (Tensor): (N, C_full, H, W), H and W even.
        half (Tensor): (N, C_half, H / 2, W / 2).

    Returns:
        Tensor: (N, C_out, H, W).
    """
    n, c_full, h, w = full.shape
    fits = (
        is_pointwise(conv)
        and use_fused_cpu(full, conv.weight, conv.bias)
        and use_fused_cpu(half)
        and h % 2 == 0
        and w % 2 == 0
        and tuple(half.shape) == (n, conv.in_channels - c_full, h // 2, w // 2)
    )
    if not fits:
        up = F.interpolate(half, size=(h, w), mode='nearest')
        return conv(torch.cat([full, up], dim=1))
    c_out = conv.out_channels
    weight = conv.weight.detach().reshape(c_out, conv.in_channels)
    out = pointwise_conv(conv, full, weight=conv.weight[:, :c_full])
    small = torch.empty((n, c_out, (h // 2) * (w // 2)), dtype=full.dtype)
    flat = channel_columns(half)
    for i in range(n):
        torch.mm(weight[:, c_full:], flat[i], out=small[i])
    out.view(n, c_out, h // 2, 2, w // 2, 2).add_(
        small.view(n, c_out, h // 2, 1, w // 2, 1)
    )
    return out


#: bytes of one band of the gated FFN's hidden map (2h x rows x W float32): small
#: enough to stay in the last-level cache between the three steps
FFN_BAND_BYTES = 6 << 20


def _banded_depthwise(
    src: Tensor,
    project_in: nn.Conv2d,
    dwconv: nn.Conv2d,
    size: tuple[int, int],
    gate: bool,
    dest: Tensor | None = None,
) -> Iterator[tuple[int, int, Tensor]]:
    """``dwconv(project_in(x))`` of one sample, band of rows by band of rows.

    Each band's ``project_in`` product covers the band and one halo row on each
    side, so the depth-wise 3x3 sees its true neighbours; bands hold at most
    :data:`FFN_BAND_BYTES` of hidden map.

    Args:
        src (Tensor): (C, H * W) one sample, contiguous.
        project_in (nn.Conv2d): dense 1x1, C -> C2.
        dwconv (nn.Conv2d): depth-wise 3x3 on C2 channels.
        size (tuple[int, int]): (H, W).
        gate (bool): GELU gate of the depth-wise output (C2 / 2 channels).
        dest (Tensor, optional): (C2 or C2 / 2, H, W) contiguous map the bands
            are written into (no copy); else each band is a new tensor.

    Yields:
        tuple: ``(r0, r1, out)`` with ``out`` (1, C2 or C2 / 2, r1 - r0, W).
    """
    h, w = size
    wide = project_in.out_channels
    w_in = project_in.weight.detach().reshape(wide, -1)
    b_in = None if project_in.bias is None else project_in.bias.detach()[:, None]
    band = max(1, FFN_BAND_BYTES // (wide * w * 4) - 2)
    for r0 in range(0, h, band):
        r1 = min(h, r0 + band)
        a0, a1 = max(0, r0 - 1), min(h, r1 + 1)  # with the halo rows
        hidden = torch.empty((wide, (a1 - a0) * w), dtype=src.dtype)
        _product_into(hidden, w_in, src[:, a0 * w : a1 * w], b_in, None)
        yield (
            r0,
            r1,
            depthwise3x3(
                hidden.view(1, wide, a1 - a0, w),
                dwconv.weight,
                dwconv.bias,
                gate=gate,
                rows=(r0 - a0, r1 - a0),
                out=None if dest is None else dest[None, :, r0:r1],
            ),
        )


def _pointwise_then_depthwise_fits(
    x: Tensor, project_in: nn.Conv2d, dwconv: nn.Conv2d, *more: nn.Conv2d
) -> bool:
    """A dense 1x1 into a depth-wise 3x3 (into ``more`` 1x1s), fast path allowed."""
    modules = (project_in, dwconv, *more)
    params = [m.weight for m in modules] + [m.bias for m in modules]
    return (
        is_pointwise(project_in)
        and is_depthwise3x3(dwconv)
        and all(is_pointwise(m) for m in more)
        and dwconv.in_channels == project_in.out_channels
        and use_fused_cpu(x, *params)
    )


def pointwise_depthwise(x: Tensor, project_in: nn.Conv2d, dwconv: nn.Conv2d) -> Tensor:
    """``dwconv(project_in(x))`` in row bands (the 1x1 output never held whole).

    Args:
        x (Tensor): (N, C, H, W).
        project_in (nn.Conv2d): 1x1, C -> C2 (e.g. SCAL's qkv, C2 = 3C).
        dwconv (nn.Conv2d): depth-wise 3x3 on C2 channels.

    Returns:
        Tensor: (N, C2, H, W); contiguous on the fast path.
    """
    if not _pointwise_then_depthwise_fits(x, project_in, dwconv):
        return depthwise_conv(dwconv, pointwise_conv(project_in, x))
    n, c, h, w = x.shape
    x = x.contiguous()
    out = torch.empty((n, project_in.out_channels, h, w), dtype=x.dtype)
    for i in range(n):
        src = x[i].view(c, h * w)
        for _ in _banded_depthwise(src, project_in, dwconv, (h, w), False, out[i]):
            pass  # each band is written into out[i]
    return out


def gated_ffn(
    x: Tensor,
    project_in: nn.Conv2d,
    dwconv: nn.Conv2d,
    project_out: nn.Conv2d,
    residual: Tensor | None = None,
) -> Tensor:
    """``[residual +] project_out(GELU(a) * b)``, ``a, b = dwconv(project_in(x))``.

    The hidden map (2h channels, up to 510 at full resolution in HINT) is never
    held whole: for each band of rows, ``project_in`` runs on the band and one
    halo row on each side, the fused depth-wise + gate kernel makes the band's h
    gated channels and ``project_out`` writes the band's output rows (adding the
    residual inside the product), all while the band is in the cache. Only where
    :func:`use_fused_cpu` allows and the convolutions are a dense 1x1, a
    depth-wise 3x3 and a dense 1x1 (else the PyTorch ops run).

    Args:
        x (Tensor): (N, C, H, W).
        project_in (nn.Conv2d): 1x1, C -> 2h.
        dwconv (nn.Conv2d): depth-wise 3x3 on 2h channels.
        project_out (nn.Conv2d): 1x1, h -> C_out.
        residual (Tensor, optional): (N, C_out, H, W) added to the output.

    Returns:
        Tensor: (N, C_out, H, W).
    """
    n, c, h, w = x.shape
    wide, c_out = project_in.out_channels, project_out.out_channels
    if not (
        _pointwise_then_depthwise_fits(x, project_in, dwconv, project_out)
        and wide == 2 * project_out.in_channels
        and use_fused_cpu(x, residual)
        and _fused_residual(residual, (n, c_out, h, w))
    ):
        hidden = gated_depthwise_conv(dwconv, pointwise_conv(project_in, x))
        return pointwise_conv(project_out, hidden, residual)
    w_out = project_out.weight.detach().reshape(c_out, wide // 2)
    b_out = None if project_out.bias is None else project_out.bias.detach()[:, None]
    x = x.contiguous()
    res = None if residual is None else residual.contiguous().view(n, c_out, h * w)
    out = torch.empty((n, c_out, h, w), dtype=x.dtype)
    for i in range(n):
        src, dst = x[i].view(c, h * w), out[i].view(c_out, h * w)
        bands = _banded_depthwise(src, project_in, dwconv, (h, w), True)
        for r0, r1, gated in bands:
            cols = slice(r0 * w, r1 * w)
            _product_into(
                dst[:, cols],
                w_out,
                gated.view(wide // 2, (r1 - r0) * w),
                b_out,
                None if res is None else res[i][:, cols],
            )
    return out
