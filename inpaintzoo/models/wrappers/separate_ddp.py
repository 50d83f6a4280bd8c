"""``SeparateDDP``: MMEngine's per-network DDP wrapper with single-device keys."""

from collections import OrderedDict
from functools import partial

from mmengine.model.wrappers import MMSeparateDistributedDataParallel
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from inpaintzoo.registry import MODEL_WRAPPERS


def strip_ddp_infix(
    module: nn.Module,
    state_dict: OrderedDict,
    prefix: str,
    local_metadata: dict,
    names: tuple[str, ...],
) -> OrderedDict:
    """State-dict hook: ``{prefix}{name}.module.*`` -> ``{prefix}{name}.*``."""
    infixes = [(f'{prefix}{name}.module.', f'{prefix}{name}.') for name in names]

    def rename(key: str) -> str:
        for old, new in infixes:
            if key.startswith(old):
                return new + key[len(old) :]
        return key

    out = OrderedDict((rename(k), v) for k, v in state_dict.items())
    out._metadata = getattr(state_dict, '_metadata', OrderedDict())  # type: ignore[attr-defined]
    return out


@MODEL_WRAPPERS.register_module()
class SeparateDDP(MMSeparateDistributedDataParallel):
    """``MMSeparateDistributedDataParallel`` whose checkpoints load anywhere.

    MMEngine's wrapper puts each trainable child (``generator``,
    ``discriminator``) in its own DDP, and the runner saves
    ``model.module.state_dict()``: the keys came out as
    ``generator.module.conv1.weight``. A resumed run (and ``tools/test.py``)
    then matched none of them and, since loading is not strict, went on with
    random weights after a "missing keys" warning. Here the wrapped model's
    state dict drops the ``.module`` of its DDP children, so a checkpoint of a
    distributed run has the keys of a single-device one (``generator.conv1.weight``);
    MMEngine's loader already unwraps DDP children when it loads such keys.

    Args: as ``MMSeparateDistributedDataParallel`` (``module``,
    ``broadcast_buffers``, ``find_unused_parameters``, DDP keyword arguments such
    as ``device_ids``).
    """

    def __init__(self, module: nn.Module, *args, **kwargs) -> None:
        super().__init__(module, *args, **kwargs)
        names = tuple(
            name
            for name, child in self.module.named_children()
            if isinstance(child, DistributedDataParallel)
        )
        self.module._register_state_dict_hook(partial(strip_ddp_infix, names=names))
