"""``SeparateFSDP``: shard each trainable sub-network of a model with FSDP.

The FSDP counterpart of MMEngine's ``MMSeparateDistributedDataParallel``: a GAN
inpaintor keeps its own ``train_step`` (two optimisers, official G/D order),
which a single FSDP unit around the whole model would bypass.
"""

import os
from collections.abc import Mapping

import torch
from mmengine.model.wrappers import MMFullyShardedDataParallel
from mmengine.optim import OptimWrapperDict
from torch import nn
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
from torch.distributed.fsdp import StateDictSettings

from inpaintzoo.registry import MODEL_WRAPPERS


def fsdp_device(device_id: int | str | torch.device | None) -> torch.device:
    """Device FSDP computes on: the rank's GPU, or the CPU without CUDA.

    ``FSDPStrategy`` passes ``device_id=LOCAL_RANK`` (an int); without CUDA that
    int would name a GPU that is not there, so the CPU is used (gloo).
    """
    if isinstance(device_id, torch.device):
        return device_id
    if isinstance(device_id, str):
        return torch.device(device_id)
    if not torch.cuda.is_available():
        return torch.device('cpu')
    index = int(os.environ.get('LOCAL_RANK', 0)) if device_id is None else device_id
    return torch.device('cuda', index)


@MODEL_WRAPPERS.register_module()
class SeparateFSDP(nn.Module):
    """Wrap every child of ``module`` that has trainable parameters in FSDP.

    ``generator`` and ``discriminator`` become separate FSDP units (with
    ``use_orig_params=True``, so ``MultiOptimWrapperConstructor`` builds one
    optimiser per sub-network as without FSDP); frozen children (feature nets,
    the data preprocessor) are only moved to the device. ``train_step``,
    ``val_step`` and ``test_step`` are the wrapped model's own.

    ``state_dict()`` / ``load_state_dict()`` are the wrapped model's, without a
    ``module.`` prefix: with ``state_dict_cfg='full'`` a checkpoint has the keys
    of a single-device one (``generator.*``, ``discriminator.*``).

    Args:
        module (nn.Module): the model (e.g. a ``GANInpaintor``).
        device_id (int | str | torch.device, optional): see :func:`fsdp_device`.
        **fsdp_kwargs: options of ``MMFullyShardedDataParallel`` for every unit
            (``sharding_strategy='FULL_SHARD'``, ``auto_wrap_policy=...``,
            ``mixed_precision=dict(param_dtype='bfloat16')``, ...).
    """

    def __init__(
        self,
        module: nn.Module,
        device_id: int | str | torch.device | None = None,
        **fsdp_kwargs,
    ) -> None:
        super().__init__()
        device = fsdp_device(device_id)
        fsdp_kwargs.setdefault('use_orig_params', True)
        for name, child in list(module.named_children()):
            if not any(p.requires_grad for p in child.parameters()):
                child.to(device)
                continue
            setattr(
                module,
                name,
                MMFullyShardedDataParallel(child, device_id=device, **fsdp_kwargs),
            )
        self.module = module

    @staticmethod
    def set_state_dict_type(*args, **kwargs) -> StateDictSettings:
        """``FSDP.set_state_dict_type`` for every unit (called by FSDPStrategy)."""
        return FSDP.set_state_dict_type(*args, **kwargs)

    def units(self) -> dict[str, FSDP]:
        """``{child name: FSDP unit}`` of the wrapped model."""
        return {
            name: child
            for name, child in self.module.named_children()
            if isinstance(child, FSDP)
        }

    def train_step(self, data: dict, optim_wrapper: OptimWrapperDict) -> dict:
        """The wrapped model's ``train_step`` (FSDP units inside shard G and D)."""
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data: dict) -> list:
        """The wrapped model's ``val_step``."""
        return self.module.val_step(data)

    def test_step(self, data: dict) -> list:
        """The wrapped model's ``test_step``."""
        return self.module.test_step(data)

    def state_dict(self, *args, **kwargs) -> dict:
        """The wrapped model's state dict (keys without ``module.``)."""
        return self.module.state_dict(*args, **kwargs)

    def load_state_dict(
        self, state_dict: Mapping, strict: bool = True, **kwargs
    ) -> tuple[list[str], list[str]]:
        """Load into the wrapped model (keys without ``module.``).

        Returns:
            tuple[list[str], list[str]]: torch's ``(missing_keys, unexpected_keys)``.
        """
        return self.module.load_state_dict(state_dict, strict=strict, **kwargs)
