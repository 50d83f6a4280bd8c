"""MMEngine metrics of the official inpainting test protocol."""

from .fid_metric import FIDMetric
from .inpainting_metric import InpaintingMetric
from .landmark_nme import LandmarkNME
from .lpips_metric import LPIPSMetric
from .restoration_metric import RestorationMetric

__all__ = [
    'FIDMetric',
    'InpaintingMetric',
    'LPIPSMetric',
    'LandmarkNME',
    'RestorationMetric',
]
