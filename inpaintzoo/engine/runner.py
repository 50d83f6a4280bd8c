"""``InpaintRunner``: MMEngine's Runner with inpaintzoo's checkpoint loading."""

from mmengine.runner import Runner

from inpaintzoo.engine.checkpoint import inpaintzoo_checkpoint_schemes
from inpaintzoo.engine.latest_checkpoint import find_latest_valid_checkpoint
from inpaintzoo.registry import RUNNERS


@RUNNERS.register_module()
class InpaintRunner(Runner):
    """A ``Runner`` that loads checkpoints through :mod:`inpaintzoo.engine.checkpoint`.

    * ``load_from``, ``resume`` and ``init_cfg=dict(type='Pretrained')`` use the
      safe loaders (weights-only + allow-list, hash-checked downloads); MMEngine's
      loaders are swapped only while this runner loads, never process-wide.
    * auto-resume (``resume=True`` without ``load_from``) picks the newest
      complete checkpoint and skips truncated ones with a warning.

    Selected with ``runner_type = 'InpaintRunner'`` (set by
    ``configs/_base_/default_runtime.py``).
    """

    def load_or_resume(self) -> None:
        """Resume or load as MMEngine does, with the rules above."""
        if self._has_loaded:
            return
        with inpaintzoo_checkpoint_schemes():
            if self._resume:
                path = self._load_from or find_latest_valid_checkpoint(self.work_dir)
                if path is None:
                    self.logger.info(
                        f'auto-resume: no complete checkpoint in {self.work_dir}; '
                        'training starts from scratch'
                    )
                    return
                if self._load_from is None:
                    self.logger.info(f'auto-resume from {path}')
                self.resume(path)
                self._has_loaded = True
            elif self._load_from is not None:
                self.load_checkpoint(self._load_from)
                self._has_loaded = True

    def load_checkpoint(self, *args, **kwargs) -> dict:
        """``Runner.load_checkpoint`` with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            return super().load_checkpoint(*args, **kwargs)

    def resume(self, *args, **kwargs) -> None:
        """``Runner.resume`` with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            super().resume(*args, **kwargs)

    def _init_model_weights(self) -> None:
        """Weight init (``Pretrained`` checkpoints included) with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            super()._init_model_weights()
