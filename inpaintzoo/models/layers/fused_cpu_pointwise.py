"""Fused CPU inference paths of the 1x1 convolutions of the NCHW layers.

oneDNN runs 1x1 convolutions on NCHW maps below matrix-product speed; here they
are matrix products ``W @ x[i].view(C, H*W)`` on the map as it is laid out
(:func:`pointwise_conv`, also over concatenated inputs without the concatenation,
:func:`pointwise_conv_concat`, and over a full- and a half-resolution input,
:func:`pointwise_conv_with_half`), and a 1x1 followed by a depth-wise 3x3 runs in
row bands that stay in cache (:func:`pointwise_depthwise`, :func:`gated_ffn`).
The rules of when they run, and their accuracy, are those of
:mod:`inpaintzoo.models.layers.fused_cpu`.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from inpaintzoo.models.layers.fused_cpu import (
    depthwise3x3,
    depthwise_conv,
    gated_depthwise_conv,
    is_depthwise3x3,
    use_fused_cpu,
)


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
