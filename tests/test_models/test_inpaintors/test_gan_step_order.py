"""The joint GAN step calls a spectral-normalised D in the official order.

Each training-mode call of a spectral-normalised discriminator runs one power
iteration (``weight_u``/``weight_v`` change in place), so the order of the three
D calls of an iteration changes the losses and the updated weights. Official
order: D(real), D(output.detach()), D(output).
"""

import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import init_default_scope

import tests.tiny_modules  # noqa: F401  (registers TinyGenerator)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

SIZE = 32
ADV_WEIGHT = 0.01
LR_G, LR_D = 1e-2, 1e-3


def model_cfg(update_order: str = 'joint') -> dict:
    """Tiny generator, the real spectral-norm PatchDiscriminator, float64 inputs."""
    return dict(
        type='GANInpaintor',
        data_preprocessor=dict(type='InpaintDataPreprocessor', dtype='float64'),
        generator=dict(type='TinyGenerator'),
        discriminator=dict(type='PatchDiscriminator', base_channels=4),
        gan_loss=dict(type='GANLoss', gan_type='lsgan', loss_weight=ADV_WEIGHT),
        losses=dict(l1=dict(type='L1Loss', divide_by_hole_ratio=True)),
        train_cfg=dict(update_order=update_order),
    )


def build(update_order: str = 'joint'):
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    return MODELS.build(model_cfg(update_order)).double()


def make_batch(n: int = 2, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    img = torch.randint(0, 256, (n, 3, SIZE, SIZE), generator=g).double()
    mask = (torch.rand(n, 1, SIZE, SIZE, generator=g) > 0.7).double()
    return dict(inputs=dict(img=img, mask=mask))


def make_optim(model) -> OptimWrapperDict:
    return OptimWrapperDict(
        generator=OptimWrapper(torch.optim.Adam(model.generator.parameters(), LR_G)),
        discriminator=OptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), LR_D)
        ),
    )


def reference_step(model, batch: dict, official_order: bool = True) -> dict:
    """The official loop in plain torch; ``official_order=False`` calls D(out) first."""
    g, d = model.generator, model.discriminator
    opt_g = torch.optim.Adam(g.parameters(), LR_G)
    opt_d = torch.optim.Adam(d.parameters(), LR_D)
    img = batch['inputs']['img'] / 255
    mask = batch['inputs']['mask']
    opt_g.zero_grad()
    opt_d.zero_grad()
    out = g(img, mask)
    if not official_order:
        gen_fake = d(out)
    real = d(img)
    fake = d(out.detach())
    if official_order:
        gen_fake = d(out)
    d_loss = (
        F.mse_loss(real, torch.ones_like(real))
        + F.mse_loss(fake, torch.zeros_like(fake))
    ) / 2
    adv = F.mse_loss(gen_fake, torch.ones_like(gen_fake)) * ADV_WEIGHT
    g_loss = adv + (out - img).abs().mean() / mask.mean()
    d_loss.backward(retain_graph=True)
    g_loss.backward()
    opt_d.step()
    opt_g.step()
    return dict(loss_adv_g=adv.item(), loss_d=d_loss.item(), loss_g=g_loss.item())


def max_state_diff(a, b) -> float:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    return max((sa[k] - sb[k]).abs().max().item() for k in sa)


def test_joint_step_equals_official_order_with_spectral_norm():
    model = build()
    batch = make_batch()
    reference = copy.deepcopy(model)
    ref_logs = reference_step(reference, batch)
    logs = model.train_step(batch, make_optim(model))
    # every parameter and buffer, spectral-norm weight_u / weight_v included
    assert max_state_diff(model, reference) < 1e-12
    for key, value in ref_logs.items():
        assert abs(float(logs[key].detach()) - value) < 1e-12, key


def test_call_order_matters_with_spectral_norm():
    """The check above has power: the swapped order gives another step."""
    model = build()
    batch = make_batch()
    official, swapped = copy.deepcopy(model), copy.deepcopy(model)
    logs_official = reference_step(official, batch)
    logs_swapped = reference_step(swapped, batch, official_order=False)
    assert max_state_diff(official, swapped) > 1e-8
    assert abs(logs_official['loss_adv_g'] - logs_swapped['loss_adv_g']) > 1e-9


@pytest.mark.parametrize('update_order', ['joint', 'sequential'])
def test_discriminator_sees_real_then_detached_then_output(update_order):
    model = build(update_order)
    batch = make_batch()
    gt = batch['inputs']['img'] / 255
    calls = []

    def record(_module, args):
        x = args[0]
        if torch.equal(x, gt):
            calls.append('real')
        else:
            calls.append('output' if x.requires_grad else 'detached')

    model.discriminator.register_forward_pre_hook(record)
    model.train_step(batch, make_optim(model))
    assert calls == ['real', 'detached', 'output']


def test_preprocessor_dtype():
    init_default_scope('inpaintzoo')
    pre = MODELS.build(dict(type='InpaintDataPreprocessor', dtype='float64'))
    img = torch.full((1, 3, 4, 4), 51.0, dtype=torch.float64)
    out = pre(dict(inputs=dict(img=img, mask=torch.zeros(1, 1, 4, 4))))['inputs']
    assert out['img'].dtype == out['mask'].dtype == torch.float64
    assert torch.equal(out['img'], img / 255)
    with pytest.raises(ConfigError, match='float32'):
        MODELS.build(dict(type='InpaintDataPreprocessor', dtype='float16'))
