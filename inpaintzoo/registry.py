"""All inpaintzoo registries: children of MMEngine's roots with scope ``inpaintzoo``.

Every registry imports its components lazily from ``locations`` the first time a
name is looked up, so ``import inpaintzoo.registry`` stays cheap. Registered name =
class name.

``MODELS.build`` (and the build of every child registry, e.g. a downstream
project's ``Registry('model', parent=MODELS, scope='myproj')``) drops MMEngine's
``_delete_`` marker from the config first: MMEngine keeps ``_delete_=True`` when a
child config adds a key its base does not have (a slot the base left at its
default), and no constructor takes it.
"""

from collections.abc import Callable
from typing import Any

from mmengine import registry as mme
from mmengine.registry import Registry, build_model_from_cfg

#: MMEngine's config-merge marker; never a constructor keyword
DELETE_KEY = '_delete_'


def without_delete_keys(cfg: Any) -> Any:
    """``cfg`` with every ``_delete_`` key removed, at any depth.

    Dicts (``ConfigDict`` included, the type is kept), lists and tuples are
    copied only where they hold such a key; everything else is returned as is.

    Args:
        cfg (Any): a config dict, a list of them, or any other value.

    Returns:
        Any: the same object when it holds no ``_delete_`` key, else a copy.
    """
    if isinstance(cfg, dict):
        items = {k: without_delete_keys(v) for k, v in cfg.items() if k != DELETE_KEY}
        changed = len(items) != len(cfg) or any(items[k] is not cfg[k] for k in items)
        return type(cfg)(items) if changed else cfg
    if isinstance(cfg, list | tuple):
        items = [without_delete_keys(v) for v in cfg]
        changed = any(a is not b for a, b in zip(items, cfg, strict=True))
        return type(cfg)(items) if changed else cfg
    return cfg


def build_model(cfg: Any, registry: Registry, default_args: dict | None = None) -> Any:
    """MMEngine's ``build_model_from_cfg`` after :func:`without_delete_keys`."""
    return build_model_from_cfg(without_delete_keys(cfg), registry, default_args)


def _node(
    name: str,
    parent: Registry,
    subpackage: str,
    build_func: Callable | None = None,
) -> Registry:
    return Registry(
        name,
        parent=parent,
        scope='inpaintzoo',
        locations=[f'inpaintzoo.{subpackage}'],
        build_func=build_func,
    )


# engine
RUNNERS = _node('runner', mme.RUNNERS, 'engine')
RUNNER_CONSTRUCTORS = _node('runner constructor', mme.RUNNER_CONSTRUCTORS, 'engine')
LOOPS = _node('loop', mme.LOOPS, 'engine')
HOOKS = _node('hook', mme.HOOKS, 'engine')
LOG_PROCESSORS = _node('log processor', mme.LOG_PROCESSORS, 'engine')
OPTIMIZERS = _node('optimizer', mme.OPTIMIZERS, 'engine')
OPTIM_WRAPPERS = _node('optim wrapper', mme.OPTIM_WRAPPERS, 'engine')
OPTIM_WRAPPER_CONSTRUCTORS = _node(
    'optim wrapper constructor', mme.OPTIM_WRAPPER_CONSTRUCTORS, 'engine'
)
PARAM_SCHEDULERS = _node('parameter scheduler', mme.PARAM_SCHEDULERS, 'engine')
STRATEGIES = _node('strategy', mme.STRATEGIES, 'engine')
# data
DATASETS = _node('dataset', mme.DATASETS, 'datasets')
DATA_SAMPLERS = _node('data sampler', mme.DATA_SAMPLERS, 'datasets')
TRANSFORMS = _node('transform', mme.TRANSFORMS, 'datasets')
# models
MODELS = _node('model', mme.MODELS, 'models', build_model)
MODEL_WRAPPERS = _node('model_wrapper', mme.MODEL_WRAPPERS, 'models')
WEIGHT_INITIALIZERS = _node('weight initializer', mme.WEIGHT_INITIALIZERS, 'models')
# evaluation
METRICS = _node('metric', mme.METRICS, 'evaluation')
EVALUATOR = _node('evaluator', mme.EVALUATOR, 'evaluation')
# visualisation
VISUALIZERS = _node('visualizer', mme.VISUALIZERS, 'visualization')
VISBACKENDS = _node('vis_backend', mme.VISBACKENDS, 'visualization')
# official-checkpoint converters: one class per architecture, registered under the
# arch name ('hint', 'mxt', 'sem_net', 'discriminator'); no MMEngine parent
CONVERTERS = Registry(
    'official converter',
    scope='inpaintzoo',
    locations=['inpaintzoo.models.converters'],
)
