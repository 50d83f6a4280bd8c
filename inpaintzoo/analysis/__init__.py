"""Model analysis: parameters and MACs through ``mmengine.analysis``.

The Mamba scan and the attention products are counted too (see
:mod:`inpaintzoo.analysis.flops`).
"""

from inpaintzoo.analysis.analytic_counts import ANALYTIC_COUNTERS, mamba_block_macs
from inpaintzoo.analysis.complexity_report import ComplexityReport
from inpaintzoo.analysis.flops import count_complexity
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
