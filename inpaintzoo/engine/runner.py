"""``InpaintRunner``: MMEngine's Runner with inpaintzoo's checkpoint loading."""

from collections.abc import Callable, Mapping, Sequence

from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

from inpaintzoo.apis.checkpoint_loading import (
    MODULE_PREFIX_REVISE,
    checked_state_dict,
    load_checked_state,
    revised_state_dict,
)
from inpaintzoo.apis.state_checks import StateSpec
from inpaintzoo.engine.checkpoint import inpaintzoo_checkpoint_schemes
from inpaintzoo.engine.latest_checkpoint import find_latest_valid_checkpoint
from inpaintzoo.registry import RUNNERS
from inpaintzoo.utils.errors import CheckpointMismatchError

#: what a runner checkpoint holds besides the weights, needed to resume
_RUNNER_STATE_KEYS = ('meta', 'optimizer', 'message_hub')
#: MMEngine's default ``revise_keys``: strip a ``module.`` prefix
DEFAULT_REVISE_KEYS = MODULE_PREFIX_REVISE


def check_resumable(checkpoint: Mapping, filename: str) -> None:
    """Raise unless ``checkpoint`` holds the runner state a resume needs.

    A checkpoint without ``meta``, ``optimizer`` and ``message_hub`` (e.g. a
    published generator-only file) is refused with a message saying what to
    use instead; so is one whose ``meta`` is not a dict with ``epoch`` and
    ``iter``.

    Raises:
        CheckpointMismatchError: names the file and what is missing.
    """
    lacking = [k for k in _RUNNER_STATE_KEYS if k not in checkpoint]
    if lacking:
        raise CheckpointMismatchError(
            f'cannot resume from {filename}: it has no {", ".join(lacking)} '
            '(a published or generator-only checkpoint holds weights only). '
            'Resume from a runner checkpoint (work_dirs/<config>/iter_N.pth), '
            'or start a new training from its weights with '
            f'load_from={filename}'
        )
    meta = checkpoint['meta']
    if not isinstance(meta, Mapping) or not {'epoch', 'iter'} <= set(meta):
        raise CheckpointMismatchError(
            f'cannot resume from {filename}: its meta ({meta!r:.60}) is not a dict '
            'with epoch and iter; the file is damaged or not a runner checkpoint'
        )


def checked_runner_state(
    checkpoint: Mapping,
    spec: StateSpec,
    filename: str,
    revise_keys: Sequence[tuple[str, str]],
    resuming: bool,
) -> dict:
    """The model state of a runner checkpoint, checked strictly against ``spec``.

    Keys (after ``revise_keys``) and shapes must equal the model's, dtypes fit
    and values be finite (see :func:`~inpaintzoo.apis.checkpoint_loading.
    checked_state_dict`). A generator-only file is accepted for ``load_from``
    (comes back with ``generator.`` keys), never for a resume.

    Raises:
        CheckpointMismatchError: the checkpoint does not fit (one message naming
            the keys), so no training starts from partly random weights.
    """
    state = revised_state_dict(checkpoint, filename, revise_keys)
    return checked_state_dict(spec, state, filename, allow_generator_only=not resuming)


@RUNNERS.register_module()
class InpaintRunner(Runner):
    """A ``Runner`` that loads checkpoints through :mod:`inpaintzoo.engine.checkpoint`.

    * ``load_from``, ``resume`` and ``init_cfg=dict(type='Pretrained')`` use the
      safe loaders (weights-only + allow-list, hash-checked downloads); MMEngine's
      loaders are swapped only while this runner loads, never process-wide.
    * ``load_from`` and ``resume`` are strict: the checkpoint's model state must
      have the model's keys and shapes (a generator-only file is accepted for
      ``load_from``), else one :class:`CheckpointMismatchError` names the
      differences before anything is loaded.
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

    def load_checkpoint(
        self,
        filename: str,
        map_location: str | Callable = 'cpu',
        strict: bool = True,
        revise_keys: Sequence[tuple[str, str]] = DEFAULT_REVISE_KEYS,
    ) -> dict:
        """``Runner.load_checkpoint`` with the safe loaders, strict by default.

        The model state is checked against the model before it is loaded (see
        :func:`checked_runner_state`). While resuming, a checkpoint without the
        runner state (:func:`check_resumable`) or holding the generator only is
        refused. ``strict=False`` (only when passed explicitly) loads as
        MMEngine does: matching keys only, with a warning.

        Returns:
            dict: the loaded checkpoint.
        """
        with inpaintzoo_checkpoint_schemes():
            checkpoint = _load_checkpoint(filename, map_location=map_location)
        resuming = getattr(self, '_resuming', False)
        if resuming:
            check_resumable(checkpoint, filename)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) else self.model
        if strict:
            spec = StateSpec.of(model)
            state = checked_runner_state(
                checkpoint, spec, filename, revise_keys, resuming
            )
            load_checked_state(model, state)
        else:
            _load_checkpoint_to_model(model, checkpoint, False, None, list(revise_keys))
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
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
