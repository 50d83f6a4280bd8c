"""Extra ``torch.jit`` operator handles for :class:`mmengine.analysis.FlopAnalyzer`.

mmengine 0.10.7's defaults miss or miscount the attention products:

* ``aten::matmul`` / ``aten::mm`` count ``numel(a) * b.shape[-1]``, which is wrong
  when ``b`` carries the broadcast batch dimensions (``W @ x`` with W (M, K) and
  x (B, K, N) is counted as M*K*N instead of B*M*K*N);
* ``aten::scaled_dot_product_attention``, ``aten::baddbmm`` and ``aten::addbmm``
  have no handle at all (reported as unsupported and counted as 0);
* ``aten::avg_pool2d`` has none either, although ``adaptive_avg_pool2d`` counts
  one add per input element; it gets the same rule.

Every handle returns multiply-accumulates (MACs), like mmengine's.
"""

from __future__ import annotations

from collections import Counter
from math import prod
from typing import Any

from mmengine.analysis.jit_handles import Handle, elementwise_flop_counter, get_shape

# custom autograd functions whose cost is counted elsewhere: the compiled scan
# (analytically, by forward hooks) and the replayed block outputs of the
# per-block mode (in their own traces); see inpaintzoo.analysis.flops
OPAQUE_OPS = (
    'prim::PythonOp._FusedScanFn',
    'prim::PythonOp.UncountedScan',
    'prim::PythonOp.ReplayOutput',
)


def _matmul_macs(inputs: list[Any], outputs: list[Any]) -> int:
    """``numel(out) * K`` for ``a @ b`` with a (..., M, K) (or (K,)), any broadcast."""
    a_shape = get_shape(inputs[0])
    out_shape = get_shape(outputs[0])
    return prod(out_shape) * a_shape[-1]


def _batched_add_matmul_macs(inputs: list[Any], outputs: list[Any]) -> int:
    """``baddbmm(c, a, b)`` / ``addbmm(c, a, b)``: B * M * K * N of ``a @ b``."""
    a_shape, b_shape = get_shape(inputs[1]), get_shape(inputs[2])
    return prod(a_shape) * b_shape[-1]


def _sdpa_macs(inputs: list[Any], outputs: list[Any]) -> int:
    """``softmax(q k^T) v`` with q (..., L, E), k (..., S, E), v (..., S, Ev).

    ``q k^T`` costs ``L * S * E`` and the weighted sum ``L * S * Ev`` per
    (broadcast) batch element; the softmax and scaling are not counted.
    """
    q_shape, k_shape, v_shape = (get_shape(v) for v in inputs[:3])
    out_shape = get_shape(outputs[0])
    batch = prod(out_shape[:-2])
    length, source = q_shape[-2], k_shape[-2]
    return batch * length * source * (q_shape[-1] + v_shape[-1])


def _counted_elsewhere(inputs: list[Any], outputs: list[Any]) -> Counter[str]:
    """Nothing: the op's cost is added analytically.

    A ``None`` handle would not do: mmengine 0.10.7 looks ignored ``prim::PythonOp``
    nodes up by their bare kind, without the Python name, and reports them as
    unsupported.
    """
    return Counter()


def extra_flop_handles() -> dict[str, Handle]:
    """Handles to pass to ``FlopAnalyzer.set_op_handle(**handles)``.

    Returns:
        dict[str, Handle]: operator name -> handle.
    """
    handles: dict[str, Handle] = {
        'aten::matmul': _matmul_macs,
        'aten::mm': _matmul_macs,
        'aten::baddbmm': _batched_add_matmul_macs,
        'aten::addbmm': _batched_add_matmul_macs,
        'aten::scaled_dot_product_attention': _sdpa_macs,
        # one add per input element, as mmengine counts adaptive_avg_pool2d
        'aten::avg_pool2d': elementwise_flop_counter(1, 0),
    }
    handles.update(dict.fromkeys(OPAQUE_OPS, _counted_elsewhere))
    return handles
