"""``InpaintRunner``: MMEngine's Runner with inpaintzoo's checkpoint loading."""

from mmengine.runner import Runner

from inpaintzoo.engine.checkpoint import inpaintzoo_checkpoint_schemes
from inpaintzoo.engine.latest_checkpoint import find_latest_valid_checkpoint
from inpaintzoo.registry import RUNNERS
from inpaintzoo.utils.errors import CheckpointMismatchError

#: what a runner checkpoint holds besides the weights, needed to resume
_RUNNER_STATE_KEYS = ('meta', 'optimizer', 'message_hub')


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

    def load_checkpoint(self, filename: str, *args, **kwargs) -> dict:
        """``Runner.load_checkpoint`` with the safe loaders.

        While resuming, a checkpoint without the runner state (``meta``,
        ``optimizer``, ``message_hub``: e.g. a published generator-only file) is
        refused with a message saying what to use instead.
        """
        with inpaintzoo_checkpoint_schemes():
            checkpoint = super().load_checkpoint(filename, *args, **kwargs)
        if getattr(self, '_resuming', False):
            lacking = [k for k in _RUNNER_STATE_KEYS if k not in checkpoint]
            if lacking:
                raise CheckpointMismatchError(
                    f'cannot resume from {filename}: it has no {", ".join(lacking)} '
                    '(a published or generator-only checkpoint holds weights only). '
                    'Resume from a runner checkpoint (work_dirs/<config>/iter_N.pth), '
                    'or start a new training from its weights with '
                    f'load_from={filename}'
                )
        return checkpoint

    def resume(self, *args, **kwargs) -> None:
        """``Runner.resume`` with the safe loaders (see :meth:`load_checkpoint`)."""
        self._resuming = True
        try:
            with inpaintzoo_checkpoint_schemes():
                super().resume(*args, **kwargs)
        finally:
            self._resuming = False

    def _init_model_weights(self) -> None:
        """Weight init (``Pretrained`` checkpoints included) with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            super()._init_model_weights()
