"""Mixed precision in the joint G/D step: one GradScaler shared by G and D.

``AmpOptimWrapper`` refuses to be built without CUDA and MMEngine gives it a CUDA
``GradScaler``; here the availability check is patched and each wrapper gets a
CPU ``GradScaler``, so the scaler logic (scale, unscale, clip, skip on Inf, one
update) runs on this machine. The models are float64, where CPU autocast casts
nothing, so a scaled step equals the plain step to rounding (the scale is a power
of two).
"""

import copy

import pytest
import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper, OptimWrapperDict
from mmengine.optim.optimizer import amp_optimizer_wrapper

from inpaintzoo.models.losses import StyleLoss
from inpaintzoo.models.losses.feature_extractors import (
    LazyFrozen,
    VGGFeatureExtractor,
)
from inpaintzoo.utils.errors import ConfigError
from tests.test_models.test_inpaintors.test_gan_step_order import (
    LR_D,
    LR_G,
    build,
    make_batch,
    make_optim,
    max_state_diff,
)

INIT_SCALE = 2.0**8


@pytest.fixture
def amp_on_cpu(monkeypatch):
    """Let ``AmpOptimWrapper`` be built here (it asserts an accelerator)."""
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available', lambda: True)


def amp_wrapper(params, lr: float, **kwargs) -> AmpOptimWrapper:
    """An AmpOptimWrapper (bfloat16 autocast on CPU) with a CPU GradScaler."""
    with pytest.warns(UserWarning, match='CUDA'):  # MMEngine's CUDA scaler
        wrapper = AmpOptimWrapper(
            optimizer=torch.optim.Adam(params, lr), dtype='bfloat16', **kwargs
        )
    wrapper.loss_scaler = torch.amp.GradScaler(
        'cpu', init_scale=INIT_SCALE, growth_interval=1
    )
    return wrapper


def amp_optim(model, **d_kwargs) -> OptimWrapperDict:
    return OptimWrapperDict(
        generator=amp_wrapper(model.generator.parameters(), LR_G),
        discriminator=amp_wrapper(model.discriminator.parameters(), LR_D, **d_kwargs),
    )


def params(module) -> dict:
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def max_param_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max((a[k] - b[k]).abs().max().item() for k in a)


def test_joint_amp_step_equals_plain_step_with_one_scaler_update(amp_on_cpu):
    model = build()
    plain = copy.deepcopy(model)
    batch = make_batch()
    optim = amp_optim(model)
    logs = model.train_step(batch, optim)
    plain_logs = plain.train_step(batch, make_optim(plain))
    assert max_state_diff(model, plain) < 1e-12
    for key in ('loss_g', 'loss_d', 'loss_adv_g'):
        assert abs(float(logs[key].detach()) - float(plain_logs[key].detach())) < 1e-12
    scaler = optim['generator'].loss_scaler
    assert optim['discriminator'].loss_scaler is scaler
    # growth_interval=1: one update() per iteration doubles the scale once
    assert scaler.get_scale() == 2 * INIT_SCALE
    model.train_step(make_batch(seed=1), optim)
    assert scaler.get_scale() == 4 * INIT_SCALE


def test_joint_amp_skips_only_the_optimiser_with_inf_gradients(amp_on_cpu):
    model = build()
    plain = copy.deepcopy(model)
    batch = make_batch()
    d_before = params(model.discriminator)
    first_d_param = next(model.discriminator.parameters())
    first_d_param.register_hook(lambda grad: grad * float('inf'))
    optim = amp_optim(model)
    model.train_step(batch, optim)
    plain.train_step(batch, make_optim(plain))
    assert max_param_diff(params(model.discriminator), d_before) == 0  # skipped
    # G's gradients are finite: its step is taken, the same as without AMP
    assert max_param_diff(params(model.generator), params(plain.generator)) < 1e-12
    assert optim['generator'].loss_scaler.get_scale() == INIT_SCALE / 2  # one backoff


def test_joint_amp_unscales_before_clipping(amp_on_cpu):
    clip = dict(clip_grad=dict(max_norm=1e-3))
    model = build()
    plain = copy.deepcopy(model)
    batch = make_batch()
    model.train_step(batch, amp_optim(model, **clip))
    plain_optim = OptimWrapperDict(
        generator=OptimWrapper(torch.optim.Adam(plain.generator.parameters(), LR_G)),
        discriminator=OptimWrapper(
            torch.optim.Adam(plain.discriminator.parameters(), LR_D), **clip
        ),
    )
    plain.train_step(batch, plain_optim)
    assert max_state_diff(model, plain) < 1e-12


def test_joint_step_needs_amp_on_both_or_neither(amp_on_cpu):
    model = build()
    optim = OptimWrapperDict(
        generator=amp_wrapper(model.generator.parameters(), LR_G),
        discriminator=OptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), LR_D)
        ),
    )
    with pytest.raises(ConfigError, match='both optim_wrapper entries'):
        model.train_step(make_batch(), optim)


@pytest.mark.parametrize('generator_autocast', [True, False])
def test_generator_autocast_switch(amp_on_cpu, generator_autocast):
    model = build().float()
    model.train_cfg['generator_autocast'] = generator_autocast
    model.generator_autocast = generator_autocast
    model.data_preprocessor.dtype = torch.float32
    seen = {}

    def record(name):
        def hook(_module, _args):
            seen.setdefault(name, torch.is_autocast_enabled('cpu'))

        return hook

    model.generator.register_forward_pre_hook(record('generator'))
    model.discriminator.register_forward_pre_hook(record('discriminator'))
    model.train_step(make_batch(), amp_optim(model))
    assert seen == dict(generator=generator_autocast, discriminator=True)


def test_generator_autocast_must_be_bool():
    with pytest.raises(ConfigError, match='generator_autocast'):
        build_with_train_cfg(dict(generator_autocast='no'))


def build_with_train_cfg(train_cfg: dict):
    from mmengine.registry import init_default_scope

    from inpaintzoo.registry import MODELS
    from tests.test_models.test_inpaintors.test_gan_step_order import model_cfg

    init_default_scope('inpaintzoo')
    cfg = model_cfg()
    cfg['train_cfg'] = dict(cfg['train_cfg'], **train_cfg)
    return MODELS.build(cfg)


RANDOM_VGG = dict(type='VGGFeatureExtractor', arch='vgg19', weights=None)


@pytest.mark.parametrize('full_precision', [True, False])
def test_style_loss_full_precision_under_autocast(full_precision):
    torch.manual_seed(0)
    loss = StyleLoss(feature_net=RANDOM_VGG, full_precision=full_precision)
    pred, gt = torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32)
    mask = (torch.rand(1, 1, 32, 32) > 0.5).float()
    plain = loss(pred, gt, mask)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mixed = loss(pred, gt, mask)
    if full_precision:
        assert torch.equal(mixed, plain)
    else:  # bfloat16 features: a visibly different loss
        assert (mixed - plain).abs().item() > 1e-4 * plain.abs().item()


def test_lazy_frozen_keeps_float32_weights_for_half_inputs():
    """A half input must not round the shared frozen weights to half for good."""
    torch.manual_seed(0)
    frozen = LazyFrozen(lambda: VGGFeatureExtractor(layer_indices=(1, 6), weights=None))
    x = torch.rand(1, 3, 16, 16)
    before = {k: v.clone() for k, v in frozen.net.state_dict().items()}
    reference = frozen(x)
    half = frozen(x.bfloat16())
    assert [f.dtype for f in half] == [torch.float32, torch.float32]
    after = frozen(x)
    for k, v in frozen.net.state_dict().items():
        assert torch.equal(v, before[k]), k
    for a, b in zip(after, reference):
        assert torch.equal(a, b)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.gpu
@pytest.mark.parametrize('generator_autocast', [True, False])
def test_joint_amp_step_on_cuda(generator_autocast):
    """MMEngine's own AmpOptimWrapper and CUDA GradScaler: one shared scaler."""
    model = build().float().cuda()
    model.generator_autocast = generator_autocast
    model.data_preprocessor.dtype = torch.float32
    dtypes = {}
    model.generator.register_forward_hook(
        lambda _m, _a, out: dtypes.setdefault('generator', out.dtype)
    )
    optim = OptimWrapperDict(
        generator=AmpOptimWrapper(
            optimizer=torch.optim.Adam(model.generator.parameters(), LR_G)
        ),
        discriminator=AmpOptimWrapper(
            optimizer=torch.optim.Adam(model.discriminator.parameters(), LR_D)
        ),
    )
    before = params(model.generator)
    batch = make_batch()
    batch['inputs'] = {k: v.cuda() for k, v in batch['inputs'].items()}
    logs = model.train_step(batch, optim)
    assert all(torch.isfinite(v).all() for v in logs.values())
    assert optim['discriminator'].loss_scaler is optim['generator'].loss_scaler
    assert max_param_diff(params(model.generator), before) > 0
    expected = torch.float16 if generator_autocast else torch.float32
    assert dtypes['generator'] == expected


@pytest.mark.parametrize('network', ['generator', 'discriminator'])
def test_joint_step_refuses_gradient_accumulation(network):
    """accumulative_counts would be ignored by the joint step: refused instead."""
    model = build()
    nets = dict(generator=model.generator, discriminator=model.discriminator)
    lrs = dict(generator=LR_G, discriminator=LR_D)
    optim = OptimWrapperDict(
        **{
            name: OptimWrapper(
                torch.optim.Adam(net.parameters(), lrs[name]),
                accumulative_counts=2 if name == network else 1,
            )
            for name, net in nets.items()
        }
    )
    before = params(model)
    with pytest.raises(ConfigError, match='accumulative_counts=2'):
        model.train_step(make_batch(), optim)
    assert max_param_diff(params(model), before) == 0
