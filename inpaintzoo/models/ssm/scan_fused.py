"""Fused CPU selective scan: C kernel forward + hand-written backward.

Same maths and signature as :func:`selective_scan_sequential`. The recurrence and
``y_t = C_t . h_t`` run in one pass of compiled code per (batch item, block of 16
channels): the (L, D, N) decays and states are never stored. For autograd the
forward keeps one state checkpoint per ``chunk`` steps, (Bt, L/chunk, D, N), and
the backward recomputes each chunk's states from its checkpoint before walking
back through it (reverse recurrence ``g_{t-1} = exp(delta_t A) * g_t``). The
delta bias and softplus are applied inside the kernel (forward and backward). The
``D`` skip and the ``silu(z)`` gate run in the kernel at inference and in PyTorch
(autograd) when gradients are needed.

Work is split in static ranges over ``torch.get_num_threads()`` OpenMP threads
(:mod:`ctypes` releases the GIL while the kernel runs). Each thread accumulates
the gradients of the shared ``A``/``B``/``C`` into its own buffer; the buffers are
summed in a fixed order, so results do not depend on thread timing.
"""

from __future__ import annotations

import ctypes
from typing import NoReturn

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx

from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.models.ssm.kernel_abi import ConvArgs, ScanArgs
from inpaintzoo.models.ssm.scan_reference import (
    broadcast_optional_inputs,
    check_scan_inputs,
    compute_dtype,
    finish_output,
    unit_inner_stride,
)

CHECKPOINT_CHUNK = 64
_SUFFIX = {torch.float32: 'f32', torch.float64: 'f64'}
DOUBLE_BACKWARD_MESSAGE = (
    'the fused CPU selective scan has no second derivative (its backward is a '
    'hand-written C kernel); for double backward (create_graph=True followed by '
    "another backward, gradgradcheck) use set_scan_impl('chunked') or "
    'INPAINTZOO_SCAN_IMPL=chunked'
)


def fused_scan_supported(u: Tensor, n_state: int) -> bool:
    """True when the fused kernel can run on ``u``: CPU, built, ``N`` in range."""
    if u.is_cuda or u.device.type != 'cpu':
        return False
    lib = load_kernel()
    return lib is not None and n_state <= lib.scan_max_state()


def _ptr(t: Tensor | None) -> int | None:
    return None if t is None else t.data_ptr()


def _strides(t: Tensor) -> tuple[int, int]:
    """(batch, length) strides of a (Bt, L, ...) tensor with unit inner stride."""
    return t.stride(0), t.stride(1)


def _base_args(
    inputs: tuple[Tensor, ...], bias: Tensor | None, softplus: bool, chunk: int
) -> ScanArgs:
    """Struct with inputs (Bt, L, D) / (Bt, L, G, N) and their strides.

    Args:
        inputs (tuple[Tensor, ...]): u, delta (raw), A, B, C.
        bias (Tensor, optional): (D,) delta bias.
        softplus (bool): apply softplus to ``delta + bias``.
        chunk (int): checkpoint interval.
    """
    u, delta, A, B, C = inputs
    batch, length, dim = u.shape
    args = ScanArgs()
    args.u, args.delta, args.A, args.B, args.C, args.delta_bias = (
        _ptr(t) for t in (u, delta, A, B, C, bias)
    )
    args.batch, args.length, args.dim = batch, length, dim
    args.n_state, args.groups, args.chunk = A.shape[1], B.shape[2], chunk
    args.softplus = int(softplus)
    args.su_b, args.su_l = _strides(u)
    args.sd_b, args.sd_l = _strides(delta)
    args.sb_b, args.sb_l = _strides(B)
    args.sc_b, args.sc_l = _strides(C)
    return args


class _DoubleBackwardError(torch.autograd.Function):
    """Identity on first-order gradients whose own backward raises a clear error.

    Like ``torch.autograd.function.once_differentiable``, with a message that says
    what to use instead.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *grads: Tensor) -> tuple[Tensor, ...]:
        return tuple(g.clone() for g in grads)

    @staticmethod
    def backward(ctx: FunctionCtx, *_: Tensor) -> NoReturn:
        raise RuntimeError(DOUBLE_BACKWARD_MESSAGE)


def _once_differentiable(grads: tuple[Tensor | None, ...]) -> tuple:
    """``grads`` as they are, or, under ``create_graph``, behind the error node."""
    if not torch.is_grad_enabled():  # backward() without create_graph
        return grads
    index = [i for i, g in enumerate(grads) if g is not None]
    wrapped = _DoubleBackwardError.apply(
        *(grads[i].detach().requires_grad_() for i in index)
    )
    wrapped = (wrapped,) if isinstance(wrapped, Tensor) else wrapped
    out = list(grads)
    for i, g in zip(index, wrapped):
        out[i] = g
    return tuple(out)


class _FusedScanFn(torch.autograd.Function):
    """(u, delta, A, B, C, delta_bias, softplus) channels-last -> (y, last state).

    ``u``/``delta``: (Bt, L, D); ``A``: (D, N); ``B``/``C``: (Bt, L, G, N);
    ``delta_bias``: (D,) or None. Outputs: y (Bt, L, D), last state (Bt, D, N).
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx,
        u: Tensor,
        delta: Tensor,
        A: Tensor,
        B: Tensor,
        C: Tensor,
        delta_bias: Tensor | None,
        softplus: bool,
        gate: tuple[Tensor, Tensor | None] | None = None,
    ) -> tuple[Tensor, Tensor]:
        ctx.set_materialize_grads(False)  # an unused output's gradient stays None
        lib = load_kernel()
        batch, length, dim = u.shape
        n_state = A.shape[1]
        save = any(ctx.needs_input_grad)
        chunk = CHECKPOINT_CHUNK
        y = u.new_empty(batch, length, dim)
        h_last = u.new_empty(batch, dim, n_state)
        n_ck = -(-length // chunk)
        ckpt = u.new_empty(batch, n_ck, dim, n_state) if save else None
        args = _base_args((u, delta, A, B, C), delta_bias, softplus, chunk)
        args.y, args.h_last, args.ckpt = _ptr(y), _ptr(h_last), _ptr(ckpt)
        args.sy_b, args.sy_l = _strides(y)
        if gate is not None:  # inference only: y = (y + D * u) * silu(z) in the kernel
            z, skip = gate  # skip (the D weight) may be None
            args.z, args.skip = _ptr(z), _ptr(skip)
            args.sz_b, args.sz_l = _strides(z)
        fn = getattr(lib, f'scan_fwd_{_SUFFIX[u.dtype]}')
        fn(ctypes.byref(args), torch.get_num_threads())
        if save:
            ctx.save_for_backward(u, delta, A, B, C, delta_bias, ckpt)
            ctx.softplus = softplus
        return y, h_last

    @staticmethod
    def backward(
        ctx: FunctionCtx, gy: Tensor | None, gh_last: Tensor | None
    ) -> tuple[Tensor | None, ...]:
        with torch.no_grad():
            grads = _FusedScanFn._backward(ctx, gy, gh_last)
        return _once_differentiable(grads)

    @staticmethod
    def _backward(ctx, gy, gh_last):
        """Gradients w.r.t. the forward's eight arguments (kernel backward)."""
        u, delta, A, B, C, delta_bias, ckpt = ctx.saved_tensors
        lib = load_kernel()
        batch, length, dim = u.shape
        groups, n_state = B.shape[2], B.shape[3]
        chunk = CHECKPOINT_CHUNK
        width = lib.scan_vector_width()
        gy = torch.zeros_like(u) if gy is None else unit_inner_stride(gy)
        gh_last = None if gh_last is None else gh_last.contiguous()
        gu, gdelta = torch.empty_like(u), torch.empty_like(u)
        workers = torch.get_num_threads()
        g_a = A.new_zeros(workers, dim, n_state)
        g_b = B.new_zeros(workers, batch, length, groups, n_state)
        g_c = C.new_zeros(workers, batch, length, groups, n_state)
        scratch = u.new_empty(workers, (2 * chunk + 1) * n_state * width)
        args = _base_args((u, delta, A, B, C), delta_bias, ctx.softplus, chunk)
        args.ckpt, args.gy, args.gh_last = _ptr(ckpt), _ptr(gy), _ptr(gh_last)
        args.gu, args.gdelta = _ptr(gu), _ptr(gdelta)
        args.gA, args.gB, args.gC = _ptr(g_a), _ptr(g_b), _ptr(g_c)
        args.sgy_b, args.sgy_l = _strides(gy)
        args.sgu_b, args.sgu_l = _strides(gu)
        args.sgd_b, args.sgd_l = _strides(gdelta)
        args.sgb_b, args.sgb_l = _strides(g_b[0])
        args.sgc_b, args.sgc_l = _strides(g_c[0])
        fn = getattr(lib, f'scan_bwd_{_SUFFIX[u.dtype]}')
        fn(
            ctypes.byref(args),
            workers,
            g_a.stride(0),
            g_b.stride(0),
            g_c.stride(0),
            scratch.data_ptr(),
        )
        g_bias = None if delta_bias is None else gdelta.sum((0, 1))
        return gu, gdelta, g_a.sum(0), g_b.sum(0), g_c.sum(0), g_bias, None, None


def selective_scan_fused(
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
    """Selective scan on the CPU with the fused C kernel (same API as the oracle).

    Runs in float64 for float64 inputs and in float32 otherwise; the output has
    ``u``'s dtype. Differentiable w.r.t. every tensor argument.

    Args:
        u (Tensor): (Bt, D, L) input (a transposed view of (Bt, L, D) is best).
        delta (Tensor): (Bt, D, L) time steps (before bias / softplus).
        A (Tensor): (D, N) state matrix.
        B (Tensor): (Bt, N, L) or (Bt, G, N, L).
        C (Tensor): same layout as ``B``.
        D (Tensor, optional): (D,) skip weight.
        z (Tensor, optional): (Bt, D, L) gate, applied as ``silu(z)``.
        delta_bias (Tensor, optional): (D,) added to ``delta``.
        delta_softplus (bool): apply softplus to ``delta``. Defaults to False.
        return_last_state (bool): also return the final state. Defaults to False.

    Returns:
        Tensor | tuple[Tensor, Tensor]: (Bt, D, L) output (a transposed view of a
        (Bt, L, D) tensor), and the (Bt, D, N) last state if ``return_last_state``.

    Raises:
        RuntimeError: when the kernel is unavailable or ``u`` is not on the CPU
            (callers normally go through :func:`selective_scan_fn`, which checks).
    """
    check_scan_inputs(u, delta, A, B, C)
    # every pointer handed to C must cover D channels / (Bt, D, L) values
    D, z, delta_bias = broadcast_optional_inputs(u, D, z, delta_bias)
    for name, t in (('delta', delta), ('A', A), ('B', B), ('C', C)):
        if t.device != u.device:
            raise ValueError(
                f'selective_scan: {name} is on {t.device} but u is on {u.device}'
            )
    if not fused_scan_supported(u, A.shape[1]):
        raise RuntimeError(
            'the fused CPU selective scan needs CPU tensors, a working C compiler '
            f'and N <= 256 (got device {u.device}, N={A.shape[1]})'
        )
    out_dtype = u.dtype
    dt = compute_dtype(u.dtype)
    grad = torch.is_grad_enabled() and any(
        t is not None and t.requires_grad for t in (u, delta, A, B, C, D, z, delta_bias)
    )
    u, delta, A, B, C = (t.to(dt) for t in (u, delta, A, B, C))
    bias = None if delta_bias is None else delta_bias.to(dt).contiguous()
    if B.dim() == 3:
        B, C = B.unsqueeze(1), C.unsqueeze(1)
    # channels-last: (Bt, L, D) and (Bt, L, G, N), views when already so laid out
    u_cl = unit_inner_stride(u.transpose(1, 2))
    d_cl = unit_inner_stride(delta.transpose(1, 2))
    b_cl = unit_inner_stride(B.permute(0, 3, 1, 2))
    c_cl = unit_inner_stride(C.permute(0, 3, 1, 2))
    z_cl = None if z is None else z.transpose(1, 2)
    gate = None
    if not grad and z is not None:  # fuse the D skip and the gate into the kernel
        skip = None if D is None else D.to(dt).contiguous()
        gate = (unit_inner_stride(z_cl.to(dt)), skip)
    y, h_last = _FusedScanFn.apply(
        u_cl, d_cl, A.contiguous(), b_cl, c_cl, bias, bool(delta_softplus), gate
    )
    if gate is not None:
        out = y.to(out_dtype).transpose(1, 2)
    else:
        out = finish_output(
            y, u_cl, D, z_cl, out_dtype, channels_last=True, inplace=not grad
        ).transpose(1, 2)
    return (out, h_last) if return_last_state else out


def _conv_params(
    x: Tensor, weight: Tensor, bias: Tensor | None
) -> tuple[Tensor, Tensor | None]:
    """(K, D) contiguous taps (flipped, transposed) and a (D,) bias for the kernel.

    A one-channel weight (1, 1, K) / (1, K) or bias (1,) is broadcast to all D
    channels; any other shape that does not give D channels is refused, so the
    kernel never reads past a smaller tensor.
    """
    dim = x.shape[-1]
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and t.device != x.device:
            raise ValueError(
                f'causal_conv_silu_fused: {name} is on {t.device}, x on {x.device}'
            )
    w2 = weight.reshape(weight.shape[0], -1) if weight.dim() in (2, 3) else None
    if (
        w2 is None
        or w2.shape[0] not in (1, dim)
        or (weight.dim() == 3 and weight.shape[1] != 1)
    ):
        raise ValueError(
            f'causal_conv_silu_fused: weight must be (D={dim}, 1, K), (D, K) or '
            f'(1, 1, K); got {tuple(weight.shape)}'
        )
    taps = w2.expand(dim, -1).to(x.dtype).flip(1).t().contiguous()
    if bias is not None:
        if bias.dim() > 1 or bias.numel() not in (1, dim):
            raise ValueError(
                f'causal_conv_silu_fused: bias must be (D={dim},) or (1,); got '
                f'{tuple(bias.shape)}'
            )
        bias = bias.reshape(-1).expand(dim).to(x.dtype).contiguous()
    return taps, bias


def causal_conv_silu_fused(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """Depth-wise causal conv1d + SiLU on channels-last input, inference only.

    ``out[:, t] = silu(bias + sum_k weight[:, K-1-k] * x[:, t-k])``: the same as
    ``silu(conv1d(x^T, weight, bias, padding=K-1, groups=D)[..., :L])^T``.

    Args:
        x (Tensor): (Bt, L, D) float32/float64 CPU tensor, unit channel stride.
        weight (Tensor): (D, 1, K) or (D, K) conv1d weight.
        bias (Tensor, optional): (D,).

    Returns:
        Tensor: (Bt, L, D) contiguous.

    Raises:
        RuntimeError: if autograd is recording or the kernel is unavailable.
        ValueError: ``x`` is not 3-D, or ``weight`` / ``bias`` have neither D
            channels nor one channel to broadcast.
    """
    if torch.is_grad_enabled() and (
        x.requires_grad
        or weight.requires_grad
        or (bias is not None and bias.requires_grad)
    ):
        raise RuntimeError(
            'causal_conv_silu_fused has no backward; use it for inference'
        )
    if x.dim() != 3:
        raise ValueError(
            f'causal_conv_silu_fused: x must be (batch, L, D); got {tuple(x.shape)}'
        )
    if not fused_scan_supported(x, 1) or x.dtype not in _SUFFIX:
        raise RuntimeError(
            'causal_conv_silu_fused needs a float32/64 CPU tensor and the kernel'
        )
    lib = load_kernel()
    x = unit_inner_stride(x)
    taps, bias = _conv_params(x, weight, bias)
    out = torch.empty(x.shape, dtype=x.dtype)
    args = ConvArgs()
    args.x, args.w, args.bias, args.out = _ptr(x), _ptr(taps), _ptr(bias), _ptr(out)
    args.batch, args.length, args.dim = x.shape
    args.ksize = taps.shape[0]
    args.sx_b, args.sx_l = _strides(x)
    args.so_b, args.so_l = _strides(out)
    getattr(lib, f'conv_silu_{_SUFFIX[x.dtype]}')(
        ctypes.byref(args), torch.get_num_threads()
    )
    return out
