"""Engine hooks."""

from inpaintzoo.engine.hooks.visualization_hook import (
    InpaintVisualizationHook,
    SaveInpaintedImagesHook,
)

__all__ = ['InpaintVisualizationHook', 'SaveInpaintedImagesHook']
