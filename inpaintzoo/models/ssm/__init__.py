"""State-space components: selective scan, Mamba block, scanners, positional PE."""

from inpaintzoo.models.ssm.mamba_block import MambaBlock
from inpaintzoo.models.ssm.positional import (
    SinusoidalPositionalEmbedding,
    sinusoidal_table,
)
from inpaintzoo.models.ssm.scan_chunked import selective_scan_chunked
from inpaintzoo.models.ssm.scan_dispatch import (
    choose_scan_backend,
    get_scan_impl,
    selective_scan,
    selective_scan_fn,
    set_scan_impl,
)
from inpaintzoo.models.ssm.scan_fused import (
    causal_conv_silu_fused,
    fused_scan_supported,
    selective_scan_fused,
)
from inpaintzoo.models.ssm.scan_reference import selective_scan_sequential
from inpaintzoo.models.ssm.scanners import (
    BaseScanner,
    BiRasterScan,
    BiSnakeScan,
    CrossScan,
    RasterScan,
    SnakeScan,
)

__all__ = [
    'BaseScanner',
    'BiRasterScan',
    'BiSnakeScan',
    'CrossScan',
    'MambaBlock',
    'RasterScan',
    'SinusoidalPositionalEmbedding',
    'SnakeScan',
    'causal_conv_silu_fused',
    'choose_scan_backend',
    'fused_scan_supported',
    'get_scan_impl',
    'selective_scan',
    'selective_scan_chunked',
    'selective_scan_fn',
    'selective_scan_fused',
    'selective_scan_sequential',
    'set_scan_impl',
    'sinusoidal_table',
]
