"""``InpaintFlexibleRunner``: MMEngine's FlexibleRunner with inpaintzoo's loaders."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from mmengine.runner import FlexibleRunner
from torch import nn

from inpaintzoo.apis.state_checks import StateSpec
from inpaintzoo.engine.checkpoint import inpaintzoo_checkpoint_schemes
from inpaintzoo.engine.runner import (
    DEFAULT_REVISE_KEYS,
    check_resumable,
    checked_runner_state,
)
from inpaintzoo.registry import RUNNERS


@RUNNERS.register_module()
class InpaintFlexibleRunner(FlexibleRunner):
    """A ``FlexibleRunner`` that loads checkpoints through the safe loaders.

    It is MMEngine's strategy-based runner (FSDP, DeepSpeed, ...); its
    ``load_from`` / ``resume`` / ``Pretrained`` init go through the safe loaders
    of :mod:`inpaintzoo.engine.checkpoint` (weights-only + allow-list,
    hash-checked downloads), as :class:`InpaintRunner` does.

    ``load_from`` and ``resume`` are strict as in
    :class:`~inpaintzoo.engine.runner.InpaintRunner`: the checkpoint's model
    state is checked (keys, shapes, dtypes, finite values) when the strategy
    has read it and before it loads it. Since FSDP shards the parameters it
    wraps, the model's keys and shapes are recorded when the strategy builds
    the model, before wrapping.

    Selected by ``configs/_base_/strategies/fsdp.py`` (``tools/train.py
    --strategy fsdp``).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._model_spec: StateSpec | None = None
        self._checking: tuple[str, Sequence[tuple[str, str]], bool] | None = None
        self._record_spec_on_build()

    def _record_spec_on_build(self) -> None:
        """Make the strategy record the model's :class:`StateSpec` once built."""
        build = self.strategy.build_model

        def build_and_record(model: nn.Module | dict) -> nn.Module:
            built = build(model)
            self._model_spec = StateSpec.of(built)
            return built

        self.strategy.build_model = build_and_record

    @contextmanager
    def _strict_loading(
        self,
        filename: str,
        revise_keys: Sequence[tuple[str, str]],
        resuming: bool,
    ) -> Iterator[None]:
        """Check the checkpoint read inside the block (see :meth:`call_hook`)."""
        self._checking = (filename, revise_keys, resuming)
        try:
            with inpaintzoo_checkpoint_schemes():
                yield
        finally:
            self._checking = None

    def call_hook(self, fn_name: str, **kwargs) -> None:
        """Call the hooks; after ``after_load_checkpoint``, check the checkpoint.

        The strategy calls ``after_load_checkpoint`` between reading a file and
        loading its ``state_dict`` into the model: there the state dict is
        checked and replaced by the checked one (keys revised, a generator-only
        file's keys prefixed with ``generator.``).
        """
        super().call_hook(fn_name, **kwargs)
        if fn_name != 'after_load_checkpoint' or self._checking is None:
            return
        filename, revise_keys, resuming = self._checking
        checkpoint = kwargs['checkpoint']
        if resuming:
            check_resumable(checkpoint, filename)
        spec = self._model_spec or StateSpec.of(self.model)
        checkpoint['state_dict'] = checked_runner_state(
            checkpoint, spec, filename, revise_keys, resuming
        )

    def load_or_resume(self) -> None:
        """``FlexibleRunner.load_or_resume`` with the safe loaders."""
        with inpaintzoo_checkpoint_schemes():
            super().load_or_resume()

    def load_checkpoint(
        self,
        filename: str,
        map_location: str | Callable = 'cpu',
        strict: bool = True,
        revise_keys: Sequence[tuple[str, str]] = DEFAULT_REVISE_KEYS,
    ) -> None:
        """``FlexibleRunner.load_checkpoint`` with the safe loaders, strict.

        ``strict=False`` (only when passed explicitly) loads as MMEngine does.
        """
        loading = (
            self._strict_loading(filename, revise_keys, resuming=False)
            if strict
            else inpaintzoo_checkpoint_schemes()
        )
        with loading:
            # strict: keys were checked (a generator-only file loads into the
            # generator), so MMEngine itself loads non-strictly in both cases
            super().load_checkpoint(filename, map_location, False, list(revise_keys))

    def resume(self, filename: str, *args, **kwargs) -> None:
        """``FlexibleRunner.resume`` with the safe loaders, strict."""
        with self._strict_loading(filename, DEFAULT_REVISE_KEYS, resuming=True):
            super().resume(filename, *args, **kwargs)
