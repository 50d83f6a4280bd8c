"""``InpaintFlexibleRunner``: MMEngine's FlexibleRunner with inpaintzoo's loaders."""

from mmengine.runner import FlexibleRunner

from inpaintzoo.engine.checkpoint import inpaintzoo_checkpoint_schemes
from inpaintzoo.registry import RUNNERS


@RUNNERS.register_module()
class InpaintFlexibleRunner(FlexibleRunner):
    """A ``FlexibleRunner`` that loads checkpoints through the safe loaders.

    It is MMEngine's strategy-based runner (FSDP, DeepSpeed, ...); its
    ``load_from`` / ``resume`` / ``Pretrained`` init go through the safe loaders
    of :mod:`inpaintzoo.engine.checkpoint` (weights-only + allow-list,
    hash-checked downloads), as :class:`InpaintRunner` does.

    Selected by ``configs/_base_/strategies/fsdp.py`` (``tools/train.py
    --strategy fsdp``).
    """

    def load_or_resume(self) -> None:
        """``FlexibleRunner.load_or_resume`` with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            super().load_or_resume()

    def load_checkpoint(self, *args, **kwargs):
        """``FlexibleRunner.load_checkpoint`` with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            return super().load_checkpoint(*args, **kwargs)

    def resume(self, *args, **kwargs) -> None:
        """``FlexibleRunner.resume`` with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            super().resume(*args, **kwargs)
