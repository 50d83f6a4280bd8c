"""Restorers: degraded -> clean image models (motion deblurring), no mask."""

from .paired_data_preprocessor import PairedDataPreprocessor
from .restorer import Restorer

__all__ = ['PairedDataPreprocessor', 'Restorer']
