"""All inpaintzoo registries: children of MMEngine's roots with scope ``inpaintzoo``.

Every registry imports its components lazily from ``locations`` the first time a
name is looked up, so ``import inpaintzoo.registry`` stays cheap. Registered name =
class name.
"""

from mmengine import registry as mme
from mmengine.registry import Registry


def _node(name: str, parent: Registry, subpackage: str) -> Registry:
    return Registry(
        name, parent=parent, scope='inpaintzoo', locations=[f'inpaintzoo.{subpackage}']
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
MODELS = _node('model', mme.MODELS, 'models')
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
