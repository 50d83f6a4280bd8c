"""``InpaintFSDPStrategy``: MMEngine's FSDPStrategy for several optimisers."""

import torch
from mmengine._strategy import FSDPStrategy
from mmengine.optim import (
    BaseOptimWrapper,
    OptimWrapper,
    OptimWrapperDict,
    build_optim_wrapper,
)
from torch import nn
from torch.distributed.fsdp import (
    FullOptimStateDictConfig,
    FullStateDictConfig,
)
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

from inpaintzoo.registry import STRATEGIES
from inpaintzoo.utils.errors import ConfigError


@STRATEGIES.register_module()
class InpaintFSDPStrategy(FSDPStrategy):
    """``FSDPStrategy`` whose optimiser state works with an ``OptimWrapperDict``.

    Also fixes MMEngine's single-optimiser resume for torch 2.14 (see
    :meth:`load_optim_state_dict`).

    MMEngine's strategy saves and loads the state of one optimiser for the
    whole FSDP model; a GAN inpaintor has one per sub-network (``generator``,
    ``discriminator``), each over one FSDP unit of
    :class:`~inpaintzoo.models.wrappers.SeparateFSDP`. Here every entry of the
    dict is gathered from (and scattered to) its own unit, and the checkpoint's
    ``optimizer`` entry is ``{name: optimizer state}`` as without FSDP.

    Defaults: ``model_wrapper=dict(type='SeparateFSDP')`` and
    ``state_dict_cfg='full'`` (one ordinary checkpoint file on rank 0, loadable
    by ``tools/test.py`` and the single-device runner).

    Without CUDA (FSDP on CPU over gloo) the full state dicts are gathered with
    ``offload_to_cpu=False``: with ``True`` on CPU, torch 2.14 returns the
    optimiser states of a parameter as views of one reused buffer (Adam's
    ``exp_avg`` and ``exp_avg_sq`` came back as the same tensor), so a resumed
    run continued from wrong moments. Offloading is a no-op on CPU anyway.
    """

    def __init__(self, *, model_wrapper: dict | None = None, **kwargs) -> None:
        kwargs.setdefault('state_dict_cfg', 'full')
        super().__init__(
            model_wrapper=model_wrapper or dict(type='SeparateFSDP'), **kwargs
        )
        if self._is_full_state_dict() and not torch.cuda.is_available():
            self.state_dict_config = FullStateDictConfig(
                rank0_only=True, offload_to_cpu=False
            )
            self.optim_state_dict_config = FullOptimStateDictConfig(
                rank0_only=True, offload_to_cpu=False
            )

    def build_optim_wrapper(
        self,
        optim_wrapper: torch.optim.Optimizer | OptimWrapper | dict,
        model: nn.Module | None = None,
    ) -> BaseOptimWrapper:
        """Build ``optim_wrapper`` as ``FSDPStrategy`` does, except one case.

        A per-sub-network dict (``constructor=`` without a top-level
        ``optimizer``) goes straight to its constructor,
        since ``FSDPStrategy`` would add a top-level ``type`` key to it.
        """
        if (
            isinstance(optim_wrapper, dict)
            and 'constructor' in optim_wrapper
            and 'optimizer' not in optim_wrapper
        ):
            for entry in optim_wrapper.values():  # AMP needs FSDP's sharded scaler
                if isinstance(entry, dict) and entry.get('type') == 'AmpOptimWrapper':
                    entry.setdefault('use_fsdp', True)
            return build_optim_wrapper(model, optim_wrapper)
        return super().build_optim_wrapper(optim_wrapper, model)

    def _units(self) -> dict:
        units = getattr(self.model, 'units', None)
        if units is None:
            raise ConfigError(
                'InpaintFSDPStrategy with several optimisers needs '
                "model_wrapper=dict(type='SeparateFSDP')"
            )
        return units()

    def optim_state_dict(self) -> dict:
        """Optimizer state: ``{name: state}`` for an ``OptimWrapperDict``."""
        if not isinstance(self.optim_wrapper, OptimWrapperDict):
            return FSDP.optim_state_dict(self.model, self.optim_wrapper.optimizer)
        units = self._units()
        return {
            name: FSDP.optim_state_dict(units[name], wrapper.optimizer)
            for name, wrapper in self.optim_wrapper.items()
        }

    def load_optim_state_dict(self, state_dict: dict) -> None:
        """Load an optimizer state saved by :meth:`optim_state_dict`.

        MMEngine 0.10.7 passes ``FSDP.optim_state_dict_to_load`` its arguments
        in the order of older torch (state first); torch 2.14 takes ``(model,
        optim, optim_state_dict)`` and fails with "unhashable type: 'dict'".
        """
        if not isinstance(self.optim_wrapper, OptimWrapperDict):
            optimizer = self.optim_wrapper.optimizer
            self.optim_wrapper.load_state_dict(
                FSDP.optim_state_dict_to_load(self.model, optimizer, state_dict)
            )
            return
        units = self._units()
        for name, wrapper in self.optim_wrapper.items():
            local = FSDP.optim_state_dict_to_load(
                units[name], wrapper.optimizer, state_dict[name]
            )
            wrapper.load_state_dict(local)
