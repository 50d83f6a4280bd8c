"""Data preprocessors."""

from inpaintzoo.models.data_preprocessors.inpaint_data_preprocessor import (
    InpaintDataPreprocessor,
)

__all__ = ['InpaintDataPreprocessor']
