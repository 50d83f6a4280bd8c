"""Engine: runner, checkpoint loading, optimizer constructor, hooks.

Importing it registers components in inpaintzoo's registries only; MMEngine's
checkpoint loaders and torch's safe-globals list are left unchanged.
"""

from inpaintzoo.engine.checkpoint import load_checkpoint_file
from inpaintzoo.engine.flexible_runner import InpaintFlexibleRunner
from inpaintzoo.engine.fsdp_strategy import InpaintFSDPStrategy
from inpaintzoo.engine.hooks import (
    AtomicCheckpointHook,
    InpaintVisualizationHook,
    SaveInpaintedImagesHook,
)
from inpaintzoo.engine.optim_constructor import MultiOptimWrapperConstructor
from inpaintzoo.engine.runner import InpaintRunner

__all__ = [
    'AtomicCheckpointHook',
    'InpaintFSDPStrategy',
    'InpaintFlexibleRunner',
    'InpaintRunner',
    'InpaintVisualizationHook',
    'MultiOptimWrapperConstructor',
    'SaveInpaintedImagesHook',
    'load_checkpoint_file',
]
