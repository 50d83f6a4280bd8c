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

Memory: at most a few (Bt, nc, G, D/G, N) = (Bt, D, N, L/T) working tensors plus
(Bt, D, L) inputs/outputs, never a full (Bt, D, L, N) tensor at inference. With
autograd the loop saves its per-step tensors (about ``3 * Bt*D*L*N`` values).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from inpaintzoo.models.ssm.scan_reference import (
    check_scan_inputs,
    compute_dtype,
    finish_output,
    prepare_delta,
)

DEFAULT_MAX_CHUNK = 64
DEFAULT_BLOCK_BUDGET = 2**24


def default_chunk_size(length: int, max_chunk: int = DEFAULT_MAX_CHUNK) -> int:
    """Chunk length ``T``: ``L`` when short, else about ``sqrt(L)`` in [16, max]."""
    if length <= max_chunk:
        return max(length, 1)
    return int(min(max_chunk, max(16, 2 ** round(math.log2(math.sqrt(length))))))


def _steps(x: Tensor, n_chunks: int, chunk: int) -> Tensor:
    """(Bt, K, L) -> zero-pad to nc*T -> (T, Bt, nc, K), contiguous."""
    pad = n_chunks * chunk - x.shape[-1]
    if pad:
        x = F.pad(x, (0, pad))
    batch, k = x.shape[:2]
    return x.reshape(batch, k, n_chunks, chunk).permute(3, 0, 2, 1).contiguous()


def _decays(delta: Tensor, A: Tensor, buf: Tensor | None) -> list[Tensor] | Tensor:
    """``exp(delta_t * A)`` for every step: (T, Bt, nc, G, Dg) -> (T, ..., Dg, N)."""
    if buf is None:
        return [torch.exp(delta[t].unsqueeze(-1) * A) for t in range(delta.shape[0])]
    torch.mul(delta.unsqueeze(-1), A, out=buf)
    return buf.exp_()


def _recurrence(
    decay: list[Tensor] | Tensor,
    du: Tensor,
    b_mat: Tensor,
    c_mat: Tensor | None,
    h: Tensor,
    inplace: bool,
) -> tuple[Tensor, Tensor | None]:
    """``h_t = decay_t * h_{t-1} + du_t * B_t`` over the T steps of all chunks.

    Args:
        decay (list[Tensor] | Tensor): T tensors (Bt, nc, G, Dg, N).
        du (Tensor): (T, Bt, nc, G, Dg) ``delta * u``.
        b_mat (Tensor): (T, Bt, nc, G, N).
        c_mat (Tensor, optional): (T, Bt, nc, G, N); None skips the output.
        h (Tensor): (Bt, nc, G, Dg, N) start states (overwritten if ``inplace``).
        inplace (bool): update ``h`` in place (only without autograd).

    Returns:
        tuple[Tensor, Tensor | None]: final states (Bt, nc, G, Dg, N) and outputs
        ``y_t = C_t . h_t`` as (T, Bt, nc, G, Dg), or None.
    """
    ys = []
    for t in range(du.shape[0]):
        du_t, b_t = du[t].unsqueeze(-1), b_mat[t].unsqueeze(-2)
        if inplace:
            h.mul_(decay[t]).addcmul_(du_t, b_t)
        else:
            h = torch.addcmul(h * decay[t], du_t, b_t)
        if c_mat is not None:
            ys.append(torch.einsum('bcgdn,bcgn->bcgd', h, c_mat[t]))
    return h, (torch.stack(ys) if ys else None)


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
        delta (Tensor): (T, Bt, nc, G, Dg) time steps.
        du (Tensor): (T, Bt, nc, G, Dg) ``delta * u``.
        b_mat (Tensor): (T, Bt, nc, G, N).
        c_mat (Tensor): (T, Bt, nc, G, N).
        A (Tensor): (G, Dg, N).
        h_in (Tensor): (Bt, G, Dg, N) state before the block.
        buf (Tensor, optional): (T, Bt, >=nc, G, Dg, N) decay buffer; None means
            autograd mode (out-of-place ops).

    Returns:
        tuple[Tensor, Tensor]: outputs (T, Bt, nc, G, Dg) and the state after the
        block (Bt, G, Dg, N).
    """
    batch, n_chunks = delta.shape[1:3]
    inplace = buf is not None
    decay = _decays(delta, A, None if buf is None else buf[:, :, :n_chunks])
    if n_chunks == 1:
        starts = h_in.unsqueeze(1)
    else:
        # 1) each chunk's final state from zero, 2) carry the states across chunks
        zeros = h_in.new_zeros(batch, n_chunks, *h_in.shape[1:])
        h_loc, _ = _recurrence(decay, du, b_mat, None, zeros, inplace)
        chunk_decay = torch.exp(delta.sum(0).unsqueeze(-1) * A)  # (Bt, nc, G, Dg, N)
        carried = [h_in]
        for c in range(n_chunks - 1):
            carried.append(torch.addcmul(h_loc[:, c], chunk_decay[:, c], carried[-1]))
        starts = torch.stack(carried, dim=1)
    # 3) the recurrence again from the true start states, with outputs
    h, ys = _recurrence(
        decay, du, b_mat, c_mat, starts.clone() if inplace else starts, inplace
    )
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
        Tensor | tuple[Tensor, Tensor]: (Bt, D, L) output, and the (Bt, D, N)
        last state if ``return_last_state``.
    """
    groups = check_scan_inputs(u, delta, A, B, C)
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
    # (T, Bt, nc, G, Dg) for delta / delta*u, (T, Bt, nc, G, N) for B / C
    steps_shape = (chunk, batch, n_chunks, groups, dg)
    d_s = _steps(delta, n_chunks, chunk).view(steps_shape)
    du_s = _steps(delta * u, n_chunks, chunk).view(steps_shape)
    bc_shape = (chunk, batch, n_chunks, groups, n_state)
    b_s = _steps(B.flatten(1, 2), n_chunks, chunk).view(bc_shape)
    c_s = _steps(C.flatten(1, 2), n_chunks, chunk).view(bc_shape)
    a_g = A.view(groups, dg, n_state)

    # blocks of chunks bound the stored decays to ~block_budget values
    per_chunk = chunk * batch * dim * n_state
    block = max(1, min(n_chunks, block_budget // per_chunk))
    buf = None if grad else u.new_empty(chunk, batch, block, groups, dg, n_state)
    h = u.new_zeros(batch, groups, dg, n_state)
    outs = []
    for c0 in range(0, n_chunks, block):
        sl = slice(c0, c0 + block)
        y_blk, h = _scan_block(
            d_s[:, :, sl], du_s[:, :, sl], b_s[:, :, sl], c_s[:, :, sl], a_g, h, buf
        )
        outs.append(y_blk)
    y_s = torch.cat(outs, dim=2) if len(outs) > 1 else outs[0]
    # (T, Bt, nc, G, Dg) -> (Bt, G, Dg, nc, T) -> (Bt, D, L)
    y = y_s.permute(1, 3, 4, 2, 0).reshape(batch, dim, n_chunks * chunk)[..., :length]
    out = finish_output(y, u, D, z, out_dtype)
    if not return_last_state:
        return out
    # padded steps have delta = 0 (decay 1, no input), so the last chunk's final
    # state is the state after step L
    return out, h.reshape(batch, dim, n_state)
