"""Engine hooks."""

from inpaintzoo.engine.hooks.checkpoint_hook import AtomicCheckpointHook
from inpaintzoo.engine.hooks.per_image_scores_hook import PerImageScoresHook
from inpaintzoo.engine.hooks.progress_hook import TestProgressHook
from inpaintzoo.engine.hooks.visualization_hook import (
    InpaintVisualizationHook,
    SaveInpaintedImagesHook,
)

__all__ = [
    'AtomicCheckpointHook',
    'InpaintVisualizationHook',
    'PerImageScoresHook',
    'SaveInpaintedImagesHook',
    'TestProgressHook',
]
