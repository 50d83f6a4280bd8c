"""Evaluation: official-protocol metrics, reports and folder scoring."""

from .baselines import telea_folder, telea_inpaint
from .feature_extractors import InceptionPool3, build_lpips
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
