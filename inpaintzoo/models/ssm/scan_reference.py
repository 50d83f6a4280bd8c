"""Sequential selective scan: the plain recurrence, used as the test oracle.

Shapes follow mamba-ssm's ``selective_scan_fn``: ``Bt`` = batch, ``D`` = channels,
``N`` = state size, ``G`` = groups of the input-dependent ``B``/``C``, ``L`` = length.
For every channel ``d`` and state ``n``::

    dt_t = softplus(delta_t + delta_bias)       (softplus only if requested)
    h_t  = exp(dt_t * A[d, n]) * h_{t-1} + dt_t * B_t[n] * u_t
    y_t  = sum_n C_t[n] * h_t[n] + D[d] * u_t
    out  = y * silu(z)                           (only if z is given)

This module also holds the input checks and pre/post-processing shared by the fast
path in :mod:`inpaintzoo.models.ssm.scan_chunked`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """Dtype the scan runs in: float64 stays float64, everything else float32."""
    return torch.float64 if dtype == torch.float64 else torch.float32


def check_scan_inputs(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor) -> int:
    """Validate the selective-scan shapes and return the number of groups ``G``.

    Args:
        u (Tensor): (Bt, D, L).
        delta (Tensor): (Bt, D, L).
        A (Tensor): (D, N), real.
        B (Tensor): (Bt, N, L) or (Bt, G, N, L).
        C (Tensor): same layout as ``B``.

    Returns:
        int: ``G`` (1 for the ungrouped layout).

    Raises:
        ValueError: on any shape mismatch or a complex ``A``.
    """
    if u.dim() != 3 or delta.shape != u.shape:
        raise ValueError(
            f'selective_scan: u and delta must both be (batch, D, L); got '
            f'{tuple(u.shape)} and {tuple(delta.shape)}'
        )
    if A.is_complex() or B.is_complex() or C.is_complex():
        raise ValueError('selective_scan: complex A/B/C are not supported')
    batch, dim, length = u.shape
    if A.dim() != 2 or A.shape[0] != dim:
        raise ValueError(
            f'selective_scan: A must be (D={dim}, N); got {tuple(A.shape)}'
        )
    n_state = A.shape[1]
    if B.shape != C.shape:
        raise ValueError(
            f'selective_scan: B and C must have the same shape; got '
            f'{tuple(B.shape)} and {tuple(C.shape)}'
        )
    if B.dim() == 3 and B.shape == (batch, n_state, length):
        return 1
    if B.dim() == 4 and B.shape[0] == batch and B.shape[2:] == (n_state, length):
        groups = B.shape[1]
        if groups < 1 or dim % groups:
            raise ValueError(f'selective_scan: D={dim} is not divisible by G={groups}')
        return groups
    raise ValueError(
        f'selective_scan: B/C must be (batch={batch}, N={n_state}, L={length}) or '
        f'(batch, G, N, L); got {tuple(B.shape)}'
    )


def _expand_channels(t: Tensor | None, dim: int, name: str) -> Tensor | None:
    """A (D,) or broadcastable (1,) / scalar per-channel tensor as a (D,) view."""
    if t is None:
        return None
    if t.dim() > 1 or t.numel() not in (1, dim):
        raise ValueError(
            f'selective_scan: {name} must have shape (D={dim},) or (1,); got '
            f'{tuple(t.shape)}'
        )
    return t.reshape(-1).expand(dim)


def broadcast_optional_inputs(
    u: Tensor, D: Tensor | None, z: Tensor | None, delta_bias: Tensor | None
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    """Check ``D``, ``z``, ``delta_bias`` and expand them to full size (views).

    Every implementation calls this, so they all accept the same broadcastable
    shapes, and the fused kernel never reads past a smaller argument.

    Args:
        u (Tensor): (Bt, D, L) scan input (gives the sizes and the device).
        D (Tensor, optional): (D,), (1,) or a scalar tensor.
        z (Tensor, optional): any shape broadcastable to (Bt, D, L), e.g.
            (Bt, 1, L) or (1, D, L).
        delta_bias (Tensor, optional): (D,), (1,) or a scalar tensor.

    Returns:
        tuple: ``D`` (D,), ``z`` (Bt, D, L) and ``delta_bias`` (D,) as expanded
        views (None stays None).

    Raises:
        ValueError: a shape does not broadcast, or a tensor is on another device
            than ``u`` (the message names the argument).
    """
    for name, t in (('D', D), ('z', z), ('delta_bias', delta_bias)):
        if t is not None and t.device != u.device:
            raise ValueError(
                f'selective_scan: {name} is on {t.device} but u is on {u.device}'
            )
    dim = u.shape[1]
    if z is not None:
        try:
            fits = torch.broadcast_shapes(z.shape, u.shape) == u.shape
        except RuntimeError:
            fits = False
        if not fits:
            raise ValueError(
                f"selective_scan: z must broadcast to u's shape {tuple(u.shape)} "
                f'(batch, D, L); got {tuple(z.shape)}'
            )
        z = z.expand(u.shape)
    return (
        _expand_channels(D, dim, 'D'),
        z,
        _expand_channels(delta_bias, dim, 'delta_bias'),
    )


def unit_inner_stride(t: Tensor) -> Tensor:
    """``t`` itself when its inner layout is unit-stride, else a contiguous copy.

    Unit-stride means the last dim has stride 1 and, for a 4-D (Bt, L, G, N)
    tensor, the G and N dims merge. So ``x.transpose(1, 2)`` of a (Bt, K, L)
    view of channels-last (Bt, L, K) data comes back as a view, no copy.
    """
    if t.stride(-1) == 1 and (
        t.dim() < 4 or t.shape[2] == 1 or t.stride(2) == t.shape[3]
    ):
        return t
    return t.contiguous()


def prepare_delta(
    delta: Tensor, delta_bias: Tensor | None, delta_softplus: bool
) -> Tensor:
    """Add the bias and apply softplus: (Bt, D, L) -> (Bt, D, L)."""
    if delta_bias is not None:
        delta = delta + delta_bias.to(delta.dtype)[:, None]
    if delta_softplus:
        delta = F.softplus(delta)
    return delta


def finish_output(
    y: Tensor,
    u: Tensor,
    D: Tensor | None,
    z: Tensor | None,
    out_dtype: torch.dtype,
    channels_last: bool = False,
    inplace: bool = False,
) -> Tensor:
    """``out = (y + D*u) * silu(z)`` cast to ``out_dtype``.

    Args:
        y (Tensor): scan output, (Bt, D, L), or (Bt, L, D) channels-last.
        u (Tensor): input, same layout as ``y``.
        D (Tensor, optional): (D,) skip weight.
        z (Tensor, optional): gate, same layout as ``y``.
        out_dtype (torch.dtype): dtype of the result.
        channels_last (bool): tensors are (Bt, L, D). Defaults to False.
        inplace (bool): overwrite ``y`` (inference only). Defaults to False.

    Returns:
        Tensor: same shape as ``y``.
    """
    if D is not None:
        d_w = D.to(y.dtype) if channels_last else D.to(y.dtype)[:, None]
        y = y.addcmul_(u, d_w) if inplace else y + u * d_w
    if z is not None:
        gate = F.silu(z.to(y.dtype))
        y = y.mul_(gate) if inplace else y * gate
    return y.to(out_dtype)


def selective_scan_sequential(
    u: Tensor,
    delta: Tensor,
    A: Tensor,
    B: Tensor,
    C: Tensor,
    D: Tensor | None = None,
    z: Tensor | None = None,
    delta_bias: Tensor | None = None,
    delta_softplus: bool = False,
    return_last_state: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Selective scan as a Python loop over ``L`` (the oracle; slow for long L).

    Runs in float64 for float64 inputs and in float32 otherwise; the output has
    ``u``'s dtype.

    Args:
        u (Tensor): (Bt, D, L) input.
        delta (Tensor): (Bt, D, L) time steps (before bias / softplus).
        A (Tensor): (D, N) state matrix (negative for a stable scan).
        B (Tensor): (Bt, N, L) or (Bt, G, N, L) input matrix.
        C (Tensor): same layout as ``B``, output matrix.
        D (Tensor, optional): (D,) skip weight.
        z (Tensor, optional): (Bt, D, L) gate, applied as ``silu(z)``.
        delta_bias (Tensor, optional): (D,) added to ``delta``.
        delta_softplus (bool): apply softplus to ``delta``. Defaults to False.
        return_last_state (bool): also return the final state. Defaults to False.

    Returns:
        Tensor | tuple[Tensor, Tensor]: (Bt, D, L) output, and (Bt, D, N) last
        state (compute dtype) if ``return_last_state``.
    """
    groups = check_scan_inputs(u, delta, A, B, C)
    D, z, delta_bias = broadcast_optional_inputs(u, D, z, delta_bias)
    out_dtype = u.dtype
    dt = compute_dtype(u.dtype)
    u, delta, A, B, C = (t.to(dt) for t in (u, delta, A, B, C))
    delta = prepare_delta(delta, delta_bias, delta_softplus)
    batch, dim, length = u.shape
    if B.dim() == 3:
        B, C = B.unsqueeze(1), C.unsqueeze(1)
    # (Bt, G, N, L) -> (Bt, D, N, L): every channel of group g reads B[:, g]
    B = B.repeat_interleave(dim // groups, dim=1)
    C = C.repeat_interleave(dim // groups, dim=1)
    h = u.new_zeros(batch, dim, A.shape[1])
    ys = []
    for t in range(length):
        d_t = delta[:, :, t, None]  # (Bt, D, 1)
        h = torch.exp(d_t * A) * h + d_t * B[..., t] * u[:, :, t, None]
        ys.append((h * C[..., t]).sum(-1))
    y = torch.stack(ys, dim=-1) if ys else u.new_zeros(batch, dim, 0)
    out = finish_output(y, u, D, z, out_dtype)
    return (out, h) if return_last_state else out
