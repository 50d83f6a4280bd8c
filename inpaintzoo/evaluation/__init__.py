"""Evaluation: official-protocol metrics, reports and folder scoring.

Importing this package registers every metric but loads neither torchvision
(:class:`InceptionPool3` is imported on first access) nor scipy / scikit-image.
"""

from .baselines import telea_folder, telea_inpaint
from .feature_extractors import build_lpips
from .folder import FolderResult, evaluate_folder
from .metrics import FIDMetric, InpaintingMetric, LPIPSMetric
from .report import format_report_table, metrics_to_report

__all__ = [
    'FIDMetric',
    'FolderResult',
    'InceptionPool3',
    'InpaintingMetric',
    'LPIPSMetric',
    'build_lpips',
    'evaluate_folder',
    'format_report_table',
    'metrics_to_report',
    'telea_folder',
    'telea_inpaint',
]


def __getattr__(name: str) -> type:
    if name == 'InceptionPool3':
        from .feature_extractors.inception import InceptionPool3

        return InceptionPool3
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
