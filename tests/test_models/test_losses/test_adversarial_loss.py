import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.losses import GANLoss
from inpaintzoo.registry import MODELS


@pytest.fixture
def prob():
    torch.manual_seed(0)
    return torch.rand(2, 1, 5, 5) * 0.98 + 0.01


def test_lsgan_matches_mse_and_weight_only_on_g(prob):
    loss = GANLoss('lsgan', loss_weight=0.01)
    real = ((prob - 1) ** 2).mean()
    fake = (prob**2).mean()
    torch.testing.assert_close(loss(prob, True, is_disc=True), real)
    torch.testing.assert_close(loss(prob, False, is_disc=True), fake)
    torch.testing.assert_close(loss(prob, True), real * 0.01)
    torch.testing.assert_close(loss(prob, False), fake * 0.01)


def test_nsgan_probabilities_and_logits(prob):
    loss = GANLoss('nsgan', loss_weight=2.0)
    torch.testing.assert_close(loss(prob, True, is_disc=True), -prob.log().mean())
    torch.testing.assert_close(
        loss(prob, False, is_disc=True), -(1 - prob).log().mean()
    )
    torch.testing.assert_close(loss(prob, True), -prob.log().mean() * 2.0)
    logits = torch.randn(2, 1, 5, 5)
    from_logits = GANLoss('nsgan', loss_weight=2.0, from_logits=True)
    torch.testing.assert_close(
        from_logits(logits, True), -F.logsigmoid(logits).mean() * 2.0
    )
    torch.testing.assert_close(
        from_logits(logits, False, is_disc=True), -F.logsigmoid(-logits).mean()
    )


def test_hinge_matches_formulas():
    scores = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.5])
    loss = GANLoss('hinge', loss_weight=0.1)
    torch.testing.assert_close(
        loss(scores, True, is_disc=True), torch.relu(1 - scores).mean()
    )
    torch.testing.assert_close(
        loss(scores, False, is_disc=True), torch.relu(1 + scores).mean()
    )
    torch.testing.assert_close(loss(scores, True), -scores.mean() * 0.1)
    with pytest.raises(ValueError, match='target_is_real=True'):
        loss(scores, False)


def test_invalid_config_names_allowed_values():
    with pytest.raises(ValueError, match=r'lsgan.*nsgan.*hinge'):
        GANLoss('wgan')
    with pytest.raises(ValueError, match='from_logits'):
        GANLoss('lsgan', from_logits=True)


def test_registered_and_gradient(prob):
    loss = MODELS.build(dict(type='GANLoss', gan_type='lsgan', loss_weight=0.5))
    assert isinstance(loss, GANLoss)
    prob.requires_grad_(True)
    loss(prob, True).backward()
    torch.testing.assert_close(prob.grad, 0.5 * 2 * (prob.detach() - 1) / prob.numel())
