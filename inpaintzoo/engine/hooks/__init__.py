"""Engine hooks."""

from inpaintzoo.engine.hooks.checkpoint_hook import AtomicCheckpointHook
from inpaintzoo.engine.hooks.visualization_hook import (
    InpaintVisualizationHook,
    SaveInpaintedImagesHook,
)

__all__ = [
    'AtomicCheckpointHook',
    'InpaintVisualizationHook',
    'SaveInpaintedImagesHook',
]
