"""Analytic multiply-accumulate (MAC) counts of the Mamba operations tracing misses.

:class:`~inpaintzoo.models.ssm.MambaBlock` runs its selective scan (and, at
inference on the CPU, its causal convolution) in compiled code reached through a
custom autograd function or :mod:`ctypes`. A ``torch.jit`` trace sees one opaque
node (or nothing) there, so :mod:`mmengine.analysis` counts 0 for it. The
functions below count that work from the shapes alone, so the result does not
depend on which scan backend ran.

Counting rules (one "MAC" = one multiply, multiply-add or exponential; the
same unit mmengine reports as "flops"):

Scan, per batch item ``b``, step ``t``, channel ``d`` and state ``n``
(``h`` is the (N,) state of channel ``d``)::

    a = delta_t * A[d, n]          1  (discretised decay, exponent)
    a = exp(a)                     1  (zero-order-hold decay exp(delta A))
    bx = (delta_t * x_t) * B_t[n]  1  (delta B x; delta_t * x_t is per channel)
    h[n] = a * h[n] + bx           1  (state update, one multiply-add)
    y_t += C_t[n] * h[n]           1  (read-out, one multiply-add)
                                  ---
                                   5 per state element

and per (b, t, d)::

    delta_t * x_t                  1
    y_t + D[d] * x_t               1  (D skip, one multiply-add)
    y_t * silu(z_t)                1  (gate multiply)
                                  ---
                                   3 per channel

giving ``B * L * D_inner * (5 N + 3)`` for one scan. The softplus of ``delta``
and the SiLU of the gate are activations, which mmengine counts nowhere else in
a network either, so they are left out; so are bias additions (mmengine's
linear and convolution counts leave them out too).

Causal depth-wise convolution: ``B * L * D_inner * d_conv`` (one multiply-add
per tap; bias and SiLU not counted), the figure mmengine's convolution handle
would give for ``conv1d`` with ``padding=d_conv - 1`` cropped to ``L``.
"""

from __future__ import annotations

SCAN_MACS_PER_STATE = 5
"""Decay exponent, exp, ``delta B x``, state multiply-add, read-out multiply-add."""


def selective_scan_macs(
    batch: int,
    length: int,
    d_inner: int,
    d_state: int,
    skip: bool = True,
    gate: bool = True,
) -> int:
    """MACs of one selective scan ``y = scan(x, delta, A, B, C) [+ D x] [* silu(z)]``.

    Args:
        batch (int): Sequences Bt in the call (batch times folded scan directions).
        length (int): Steps L.
        d_inner (int): Channels D of ``x`` (``expand * d_model`` in Mamba).
        d_state (int): State size N.
        skip (bool): The ``D * x`` skip is applied. Defaults to True.
        gate (bool): The ``silu(z)`` gate is applied. Defaults to True.

    Returns:
        int: ``Bt * L * D * (5 N + 1 + skip + gate)``.
    """
    per_channel = 1 + int(skip) + int(gate)  # delta * x, the D skip, the gate
    return batch * length * d_inner * (SCAN_MACS_PER_STATE * d_state + per_channel)


def causal_conv_macs(batch: int, length: int, channels: int, kernel: int) -> int:
    """MACs of a depth-wise causal conv1d over (Bt, L, channels), ``kernel`` taps."""
    return batch * length * channels * kernel
