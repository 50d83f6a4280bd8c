"""Model analysis: parameters and MACs through ``mmengine.analysis``.

The Mamba scan and the attention products are counted too (see
:mod:`inpaintzoo.analysis.flops`).
"""

from inpaintzoo.analysis.flops import (
    ANALYTIC_COUNTERS,
    ComplexityReport,
    count_complexity,
    mamba_block_macs,
)
from inpaintzoo.analysis.generator_complexity import (
    generator_complexity,
    generator_inputs,
)
from inpaintzoo.analysis.op_handles import extra_flop_handles
from inpaintzoo.analysis.scan_flops import causal_conv_macs, selective_scan_macs

__all__ = [
    'ANALYTIC_COUNTERS',
    'ComplexityReport',
    'causal_conv_macs',
    'count_complexity',
    'extra_flop_handles',
    'generator_complexity',
    'generator_inputs',
    'mamba_block_macs',
    'selective_scan_macs',
]
