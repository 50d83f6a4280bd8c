"""MMEngine metrics of the official inpainting test protocol."""

from .fid_metric import FIDMetric
from .inpainting_metric import InpaintingMetric
from .lpips_metric import LPIPSMetric

__all__ = ['FIDMetric', 'InpaintingMetric', 'LPIPSMetric']
