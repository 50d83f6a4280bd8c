import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS
from inpaintzoo.structures import InpaintSample
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError
from tests.tiny_modules import make_gan_optim, tiny_model_cfg


def make_batch(n: int = 2, size: int = 8, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    imgs = [
        torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(n)
    ]
    masks = [(torch.rand(1, size, size, generator=g) > 0.6).float() for _ in range(n)]
    return dict(
        inputs=dict(img=imgs, mask=masks),
        data_samples=[InpaintSample() for _ in range(n)],
    )


def make_optim(model) -> OptimWrapperDict:
    return make_gan_optim(model, g_lr=1e-2, d_lr=1e-3)


@pytest.fixture
def model():
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    return MODELS.build(tiny_model_cfg())


def official_reference_step(model, batch) -> None:
    """The official order written in plain torch: two backward calls, D step, G step."""
    g, d = model.generator, model.discriminator
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-2)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-3)
    img = torch.stack(batch['inputs']['img']).float() / 255
    mask = torch.stack(batch['inputs']['mask'])
    opt_g.zero_grad()
    opt_d.zero_grad()
    out = g(img, mask)
    d_real = F.mse_loss(d(img), torch.ones_like(d(img)))
    fake = d(out.detach())
    d_fake = F.mse_loss(fake, torch.zeros_like(fake))
    d_loss = (d_real + d_fake) / 2
    gen_fake = d(out)
    g_loss = F.mse_loss(gen_fake, torch.ones_like(gen_fake)) * 0.01 + F.l1_loss(
        out, img
    )
    d_loss.backward(retain_graph=True)
    g_loss.backward()
    opt_d.step()
    opt_g.step()


def test_joint_step_matches_official_order(model):
    batch = make_batch()
    reference = copy.deepcopy(model)
    official_reference_step(reference, batch)
    logs = model.train_step(batch, make_optim(model))
    for (name, p), q in zip(
        model.state_dict().items(), reference.state_dict().values()
    ):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-7, msg=name)
    assert {
        'loss_l1',
        'loss_adv_g',
        'loss_d_real',
        'loss_d_fake',
        'loss_g',
        'loss_d',
    } <= set(logs)


def test_joint_step_changes_both_networks(model):
    before = copy.deepcopy(model.state_dict())
    model.train_step(make_batch(), make_optim(model))
    after = model.state_dict()
    changed = {k.split('.')[0] for k in before if not torch.equal(before[k], after[k])}
    assert changed == {'generator', 'discriminator'}


def test_joint_differs_from_sequential():
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    joint = MODELS.build(tiny_model_cfg('joint'))
    sequential = MODELS.build(tiny_model_cfg('sequential'))
    sequential.load_state_dict(joint.state_dict())
    batch = make_batch()
    joint.train_step(batch, make_optim(joint))
    logs = sequential.train_step(batch, make_optim(sequential))
    assert 'loss_d_real' in logs
    # D of the joint order also received G's adversarial gradient
    assert not torch.equal(
        joint.discriminator.conv.weight, sequential.discriminator.conv.weight
    )
    assert all(p.requires_grad for p in sequential.discriminator.parameters())


def test_predict_keeps_known_pixels(model):
    batch = make_batch()
    data = model.data_preprocessor(batch)
    samples = model(**data, mode='predict')
    for sample, img, mask in zip(
        samples, data['inputs']['img'], data['inputs']['mask']
    ):
        known = mask.expand(3, -1, -1) == 0
        assert torch.equal(sample.pred_img[known], img[known])
        assert sample.pred_img.shape == (3, 8, 8)
        assert not torch.equal(sample.pred_img, sample.raw_img)


def test_tensor_mode_is_composite_and_loss_mode(model):
    data = model.data_preprocessor(make_batch())
    comp = model(**data, mode='tensor')
    out = model.generator(data['inputs']['img'], data['inputs']['mask'])
    mask = data['inputs']['mask']
    torch.testing.assert_close(comp, out * mask + data['inputs']['img'] * (1 - mask))
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_l1'}
    losses['loss_l1'].backward()
    assert model.generator.conv1.weight.grad is not None


def test_bad_mask_and_mode_raise(model):
    img = torch.rand(1, 3, 8, 8)
    with pytest.raises(InvalidMaskError, match='binary'):
        model.inpaint(img, torch.full((1, 1, 8, 8), 0.5))
    with pytest.raises(InvalidMaskError, match='does not match'):
        model.inpaint(img, torch.zeros(1, 1, 4, 8))
    with pytest.raises(ValueError, match='mode'):
        model(dict(img=img, mask=torch.zeros(1, 1, 8, 8)), mode='bogus')


def test_bad_update_order_and_optim():
    init_default_scope('inpaintzoo')
    with pytest.raises(ConfigError, match='update_order'):
        MODELS.build(tiny_model_cfg('both'))
    model = MODELS.build(tiny_model_cfg())
    with pytest.raises(ConfigError, match='generator and discriminator'):
        model.train_step(
            make_batch(), OptimWrapper(torch.optim.Adam(model.parameters()))
        )


def _gan_cfg(gan_type: str, use_sigmoid: bool, **loss) -> dict:
    cfg = tiny_model_cfg()
    cfg['discriminator'] = dict(
        type='PatchDiscriminator', base_channels=4, use_sigmoid=use_sigmoid
    )
    cfg['gan_loss'] = dict(type='GANLoss', gan_type=gan_type, **loss)
    return cfg


@pytest.mark.parametrize(
    ('gan_type', 'use_sigmoid', 'loss', 'needle'),
    [
        ('hinge', True, {}, 'set model.discriminator.use_sigmoid=False'),
        ('nsgan', True, dict(from_logits=True), 'already ends in one'),
        ('nsgan', False, {}, 'model.gan_loss.from_logits=True'),
    ],
)
def test_gan_objective_and_discriminator_head_must_fit(
    gan_type, use_sigmoid, loss, needle
):
    init_default_scope('inpaintzoo')
    with pytest.raises(ConfigError, match=needle) as err:
        MODELS.build(_gan_cfg(gan_type, use_sigmoid, **loss))
    assert '\n' not in str(err.value)


@pytest.mark.parametrize(
    ('gan_type', 'use_sigmoid', 'loss'),
    [
        ('hinge', False, {}),
        ('lsgan', True, {}),  # official
        ('lsgan', False, {}),  # least squares on raw scores
        ('nsgan', True, {}),
        ('nsgan', False, dict(from_logits=True)),
    ],
)
def test_fitting_gan_heads_build(gan_type, use_sigmoid, loss):
    init_default_scope('inpaintzoo')
    model = MODELS.build(_gan_cfg(gan_type, use_sigmoid, **loss))
    assert model.discriminator.use_sigmoid is use_sigmoid


def sequential_reference_steps(model, batches: list[dict]) -> None:
    """The sequential order in plain torch: D's step, then G's step against the
    updated D; G's adversarial loss never reaches D's parameters."""
    g, d = model.generator, model.discriminator
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-2)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-3)
    for batch in batches:
        img = torch.stack(batch['inputs']['img']).float() / 255
        mask = torch.stack(batch['inputs']['mask'])
        out = g(img, mask)
        real, fake = d(img), d(out.detach())
        d_loss = (
            F.mse_loss(real, torch.ones_like(real))
            + F.mse_loss(fake, torch.zeros_like(fake))
        ) / 2
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        gen_fake = d(out)
        g_loss = F.mse_loss(gen_fake, torch.ones_like(gen_fake)) * 0.01
        g_loss = g_loss + F.l1_loss(out, img)
        opt_g.zero_grad()
        grads = torch.autograd.grad(g_loss, list(g.parameters()))
        for p, grad in zip(g.parameters(), grads):
            p.grad = grad
        opt_g.step()


def test_sequential_step_leaves_no_generator_gradient_on_d():
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg('sequential'))
    model.train_step(make_batch(), make_optim(model))
    for name, p in model.discriminator.named_parameters():
        assert p.grad is None or not p.grad.any(), name
        assert p.requires_grad, name


def test_sequential_steps_match_plain_torch_reference():
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg('sequential'))
    reference = copy.deepcopy(model)
    batches = [make_batch(seed=0), make_batch(seed=1)]
    sequential_reference_steps(reference, batches)
    optim = make_optim(model)
    for batch in batches:
        model.train_step(batch, optim)
    for (name, p), q in zip(
        model.state_dict().items(), reference.state_dict().values()
    ):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-7, msg=name)
