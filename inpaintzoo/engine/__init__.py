"""Engine: safe checkpoint schemes, optimizer constructor, hooks."""

from inpaintzoo.engine import checkpoint  # noqa: F401  (registers load schemes)
from inpaintzoo.engine.checkpoint import trust_directory
from inpaintzoo.engine.hooks import InpaintVisualizationHook, SaveInpaintedImagesHook
from inpaintzoo.engine.optim_constructor import MultiOptimWrapperConstructor

__all__ = [
    'InpaintVisualizationHook',
    'MultiOptimWrapperConstructor',
    'SaveInpaintedImagesHook',
    'trust_directory',
]
