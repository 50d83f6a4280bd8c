"""Chunked selective scan in pure PyTorch (CPU or any GPU, autograd-ready).

The sequence is cut into ``nc`` chunks of ``T`` steps and all chunks advance
together, so the Python loop has ``T`` steps (not ``L``) and each step works on a
(Bt, nc, G, D/G, N) tensor. Three stages, all numerically stable (every factor is
a decay ``exp(delta * A)`` of the original recurrence; no ``exp(-S)`` is formed):

1. Local pass: each chunk's final state from a zero start, ``hloc_c``.
2. Carry: ``H_c = exp(A * sum(delta in chunk c-1)) * H_{c-1} + hloc_{c-1}`` over
   the ``nc`` chunks (a short loop on (Bt, G, D/G, N) tensors).
3. Output pass: the recurrence again inside every chunk, started from ``H_c``,
   contracting ``C_t`` on the fly: ``y_t = C_t . h_t``.

Layout: everything runs channels-last, (Bt, L, D) viewed as (Bt, nc, T, G, D/G),
so step ``t`` of every chunk is a strided view and no layout copy is made. Callers
such as :class:`MambaBlock` pass ``u``/``delta``/``z``/``B``/``C`` as transposed
views of (Bt, L, ...) tensors (what ``nn.Linear`` produces) and get the output as
a transposed view of a contiguous (Bt, L, D) tensor.

Memory: decays of one block of chunks (``block_budget`` values) plus (Bt, L, D)
inputs/outputs, never a full (Bt, D, L, N) tensor at inference. With autograd the
loop saves its per-step tensors (about ``3 * Bt*D*L*N`` values).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from inpaintzoo.models.ssm.scan_reference import (
    broadcast_optional_inputs,
    check_scan_inputs,
    compute_dtype,
    finish_output,
    prepare_delta,
    unit_inner_stride,
)

DEFAULT_MAX_CHUNK = 64
DEFAULT_BLOCK_BUDGET = 2**24


def default_chunk_size(length: int, max_chunk: int = DEFAULT_MAX_CHUNK) -> int:
    """Chunk length ``T``: ``L`` when short, else about ``sqrt(L)`` in [16, max]."""
    if length <= max_chunk:
        return max(length, 1)
    return int(min(max_chunk, max(16, 2 ** round(math.log2(math.sqrt(length))))))


def _chunked(x: Tensor, n_chunks: int, chunk: int) -> Tensor:
    """(Bt, L, ...) -> (Bt, nc, T, ...): a view, or a zero-padded copy if needed."""
    pad = n_chunks * chunk - x.shape[1]
    if pad:
        x = torch.cat([x, x.new_zeros(x.shape[0], pad, *x.shape[2:])], dim=1)
    return x.unflatten(1, (n_chunks, chunk))


def _recurrence(
    decay: Tensor,
    du: Tensor,
    b_mat: Tensor,
    c_mat: Tensor | None,
    h: Tensor,
    inplace: bool,
) -> tuple[Tensor, Tensor | None]:
    """``h_t = decay_t * h_{t-1} + du_t * B_t`` over the T steps of all chunks.

    Args:
        decay (Tensor): (Bt, nc, T, G, Dg, N) ``exp(delta * A)``.
        du (Tensor): (Bt, nc, T, G, Dg) ``delta * u``.
        b_mat (Tensor): (Bt, nc, T, G, N).
        c_mat (Tensor, optional): (Bt, nc, T, G, N); None skips the output.
        h (Tensor): (Bt, nc, G, Dg, N) start states (overwritten if ``inplace``).
        inplace (bool): update ``h`` in place (only without autograd).

    Returns:
        tuple[Tensor, Tensor | None]: final states (Bt, nc, G, Dg, N) and outputs
        ``y_t = C_t . h_t`` as (Bt, nc, T, G, Dg), or None.
    """
    ys = []
    # unbind (not t-indexing): its backward stacks the step gradients once instead
    # of scattering each into a full-size zero tensor (O(T) instead of O(T^2))
    steps = zip(
        decay.unbind(2),
        du.unsqueeze(-1).unbind(2),
        b_mat.unsqueeze(-2).unbind(2),
        c_mat.unbind(2) if c_mat is not None else [None] * du.shape[2],
    )
    for decay_t, du_t, b_t, c_t in steps:
        if inplace:
            h.mul_(decay_t).addcmul_(du_t, b_t)
        else:
            h = torch.addcmul(h * decay_t, du_t, b_t)
        if c_t is not None:
            ys.append(torch.einsum('bcgdn,bcgn->bcgd', h, c_t))
    return h, (torch.stack(ys, dim=2) if ys else None)


def _scan_block(
    delta: Tensor,
    du: Tensor,
    b_mat: Tensor,
    c_mat: Tensor,
    A: Tensor,
    h_in: Tensor,
    buf: Tensor | None,
) -> tuple[Tensor, Tensor]:
    """Scan one block of ``nc`` chunks that starts from state ``h_in``.

    Args:
        delta (Tensor): (Bt, nc, T, G, Dg) time steps.
        du (Tensor): (Bt, nc, T, G, Dg) ``delta * u``.
        b_mat (Tensor): (Bt, nc, T, G, N).
        c_mat (Tensor): (Bt, nc, T, G, N).
        A (Tensor): (G, Dg, N).
        h_in (Tensor): (Bt, G, Dg, N) state before the block.
        buf (Tensor, optional): (Bt, >=nc, T, G, Dg, N) decay buffer; None means
            autograd mode (out-of-place ops).

    Returns:
        tuple[Tensor, Tensor]: outputs (Bt, nc, T, G, Dg) and the state after the
        block (Bt, G, Dg, N).
    """
    n_chunks = delta.shape[1]
    inplace = buf is not None
    if inplace:
        decay = torch.mul(delta.unsqueeze(-1), A, out=buf[:, :n_chunks]).exp_()
    else:
        decay = torch.exp(delta.unsqueeze(-1) * A)
    if n_chunks == 1:
        starts = h_in.unsqueeze(1)
        starts = starts.clone() if inplace else starts
    else:
        # 1) each chunk's final state from zero, 2) carry the states across chunks
        zeros = h_in.new_zeros(h_in.shape[0], n_chunks, *h_in.shape[1:])
        h_loc, _ = _recurrence(decay, du, b_mat, None, zeros, inplace)
        chunk_decay = torch.exp(delta.sum(2).unsqueeze(-1) * A)  # (Bt, nc, G, Dg, N)
        carried = [h_in]
        for c in range(n_chunks - 1):
            carried.append(torch.addcmul(h_loc[:, c], chunk_decay[:, c], carried[-1]))
        starts = torch.stack(carried, dim=1)
    # 3) the recurrence again from the true start states, with outputs
    h, ys = _recurrence(decay, du, b_mat, c_mat, starts, inplace)
    return ys, h[:, -1]


def selective_scan_chunked(
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
    chunk_size: int | None = None,
    block_budget: int = DEFAULT_BLOCK_BUDGET,
) -> Tensor | tuple[Tensor, Tensor]:
    """Selective scan, chunked formulation (same maths as the sequential oracle).

    Runs in float64 for float64 inputs and in float32 otherwise; the output has
    ``u``'s dtype. Differentiable w.r.t. every tensor argument.

    Args:
        u (Tensor): (Bt, D, L) input.
        delta (Tensor): (Bt, D, L) time steps (before bias / softplus).
        A (Tensor): (D, N) state matrix.
        B (Tensor): (Bt, N, L) or (Bt, G, N, L).
        C (Tensor): same layout as ``B``.
        D (Tensor, optional): (D,) skip weight.
        z (Tensor, optional): (Bt, D, L) gate, applied as ``silu(z)``.
        delta_bias (Tensor, optional): (D,) added to ``delta``.
        delta_softplus (bool): apply softplus to ``delta``. Defaults to False.
        return_last_state (bool): also return the final state. Defaults to False.
        chunk_size (int, optional): chunk length ``T``; default
            :func:`default_chunk_size`.
        block_budget (int): most decay values stored at once (inference);
            chunks are processed in blocks of ``block_budget // (T*Bt*D*N)``.

    Returns:
        Tensor | tuple[Tensor, Tensor]: (Bt, D, L) output (a transposed view of a
        (Bt, L, D) tensor), and the (Bt, D, N) last state if ``return_last_state``.
    """
    groups = check_scan_inputs(u, delta, A, B, C)
    D, z, delta_bias = broadcast_optional_inputs(u, D, z, delta_bias)
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f'chunk_size must be positive, got {chunk_size}')
    out_dtype = u.dtype
    dt = compute_dtype(u.dtype)
    tensors = (u, delta, A, B, C, D, z, delta_bias)
    grad = torch.is_grad_enabled() and any(
        t is not None and t.requires_grad for t in tensors
    )
    u, delta, A, B, C = (t.to(dt) for t in (u, delta, A, B, C))
    delta = prepare_delta(delta, delta_bias, delta_softplus)
    batch, dim, length = u.shape
    n_state = A.shape[1]
    dg = dim // groups
    if B.dim() == 3:
        B, C = B.unsqueeze(1), C.unsqueeze(1)
    chunk = chunk_size or default_chunk_size(length)
    n_chunks = max(1, math.ceil(length / chunk))
    # channels-last step views: (Bt, nc, T, G, Dg) for delta / delta*u,
    # (Bt, nc, T, G, N) for B / C
    u_cl = unit_inner_stride(u.transpose(1, 2))  # (Bt, L, D), a view if possible
    d_cl = unit_inner_stride(delta.transpose(1, 2))
    d_s = _chunked(d_cl, n_chunks, chunk).unflatten(-1, (groups, dg))
    du_s = _chunked(d_cl * u_cl, n_chunks, chunk).unflatten(-1, (groups, dg))
    b_s = _chunked(B.permute(0, 3, 1, 2), n_chunks, chunk)
    c_s = _chunked(C.permute(0, 3, 1, 2), n_chunks, chunk)
    a_g = A.view(groups, dg, n_state)

    # blocks of chunks bound the stored decays to ~block_budget values
    per_chunk = chunk * batch * dim * n_state
    block = max(1, min(n_chunks, block_budget // per_chunk))
    buf = None if grad else u.new_empty(batch, block, chunk, groups, dg, n_state)
    h = u.new_zeros(batch, groups, dg, n_state)
    outs = []
    for c0 in range(0, n_chunks, block):
        sl = slice(c0, c0 + block)
        y_blk, h = _scan_block(
            d_s[:, sl], du_s[:, sl], b_s[:, sl], c_s[:, sl], a_g, h, buf
        )
        outs.append(y_blk)
    y_s = torch.cat(outs, dim=1) if len(outs) > 1 else outs[0]
    y = y_s.reshape(batch, n_chunks * chunk, dim)[:, :length]  # (Bt, L, D)
    z_cl = None if z is None else z.transpose(1, 2)
    out = finish_output(
        y, u_cl, D, z_cl, out_dtype, channels_last=True, inplace=not grad
    )
    out = out.transpose(1, 2)
    if not return_last_state:
        return out
    # padded steps have delta = 0 (decay 1, no input), so the last chunk's final
    # state is the state after step L
    return out, h.reshape(batch, dim, n_state)
