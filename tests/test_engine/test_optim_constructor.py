import pytest
from mmengine.optim import OptimWrapperDict
from mmengine.registry import init_default_scope

from inpaintzoo.engine import MultiOptimWrapperConstructor
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from tests.tiny_modules import tiny_model_cfg


def build(cfg: dict, model) -> OptimWrapperDict:
    return MultiOptimWrapperConstructor(cfg)(model)


def test_one_wrapper_per_subnetwork():
    init_default_scope('inpaintzoo')
    model = MODELS.build(tiny_model_cfg())
    wrappers = build(
        dict(
            generator=dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4)),
            discriminator=dict(
                type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-5)
            ),
        ),
        model,
    )
    assert isinstance(wrappers, OptimWrapperDict)
    g_params = {
        id(p) for g in wrappers['generator'].optimizer.param_groups for p in g['params']
    }
    assert g_params == {id(p) for p in model.generator.parameters()}
    assert wrappers['discriminator'].optimizer.param_groups[0]['lr'] == 1e-5


def test_errors_name_the_problem():
    init_default_scope('inpaintzoo')
    model = MODELS.build(tiny_model_cfg())
    with pytest.raises(ConfigError, match='does not have'):
        build(
            dict(encoder=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=1))),
            model,
        )
    with pytest.raises(ConfigError, match='paramwise_cfg'):
        MultiOptimWrapperConstructor({}, paramwise_cfg=dict(norm_decay_mult=0))
    with pytest.raises(ConfigError, match='must be a dict'):
        MultiOptimWrapperConstructor(dict(generator=1))
