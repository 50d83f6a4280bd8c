"""One optimizer wrapper per sub-network (MMEngine ships no such constructor)."""

from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from torch import nn

from inpaintzoo.registry import OPTIM_WRAPPER_CONSTRUCTORS
from inpaintzoo.utils.errors import ConfigError


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MultiOptimWrapperConstructor:
    """Build an :class:`OptimWrapperDict` whose keys are sub-module attribute names.

    Args:
        optim_wrapper_cfg (dict): ``{attr_name: optim wrapper cfg}``, e.g.
            ``generator=dict(type='OptimWrapper', optimizer=dict(type='Adam'))``.
            A per-entry ``paramwise_cfg`` is honoured.
        paramwise_cfg (dict, optional): not supported at the top level; put it
            inside each entry.
    """

    def __init__(
        self, optim_wrapper_cfg: dict, paramwise_cfg: dict | None = None
    ) -> None:
        if paramwise_cfg is not None:
            raise ConfigError(
                'optim_wrapper.paramwise_cfg is not supported by '
                'MultiOptimWrapperConstructor; put it inside each sub-network entry'
            )
        self.builders = {}
        for name, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict):
                raise ConfigError(
                    f'optim_wrapper.{name} must be a dict (one entry per sub-network),'
                    f' got {type(cfg).__name__}'
                )
            cfg = dict(cfg)
            sub_paramwise = cfg.pop('paramwise_cfg', None)
            self.builders[name] = DefaultOptimWrapperConstructor(cfg, sub_paramwise)

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build one wrapper per configured sub-module of ``model``."""
        if is_model_wrapper(model):
            model = model.module
        missing = [name for name in self.builders if not hasattr(model, name)]
        if missing:
            raise ConfigError(
                f'optim_wrapper names {missing}, which the model '
                f'{type(model).__name__} does not have'
            )
        return OptimWrapperDict(
            **{name: b(getattr(model, name)) for name, b in self.builders.items()}
        )
