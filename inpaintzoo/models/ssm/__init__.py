"""State-space components: selective scan, Mamba block, scanners, positional embedding."""

from inpaintzoo.models.ssm.positional import SinusoidalPositionalEmbedding, sinusoidal_table
from inpaintzoo.models.ssm.scanners import (
    BaseScanner,
    BiSnakeScan,
    CrossScan,
    RasterScan,
    SnakeScan,
)
