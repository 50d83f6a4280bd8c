import pytest
import torch

from inpaintzoo.models.losses import PerceptualLoss, StyleLoss, gram_matrix
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError, InvalidMaskError

from .conftest import tv_feature


@pytest.fixture
def random_vgg(vgg_weights_file):
    """Feature-net config whose weights equal the torchvision reference's."""
    return dict(type='VGGFeatureExtractor', weights=str(vgg_weights_file))


def _batch(h=16):
    torch.manual_seed(1)
    pred, gt = torch.rand(2, 3, h, h), torch.rand(2, 3, h, h)
    mask = torch.zeros(2, 1, h, h)
    mask[:, :, 4:12, 2:10] = 1
    return pred, gt, mask


def test_gram_normalisation():
    feat = torch.ones(1, 2, 3, 4)
    torch.testing.assert_close(gram_matrix(feat), torch.full((1, 2, 2), 0.5))
    feat = torch.randn(2, 5, 3, 4)
    f = feat.reshape(2, 5, 12)
    expected = torch.einsum('nci,ndi->ncd', f, f) / (5 * 3 * 4)
    torch.testing.assert_close(gram_matrix(feat), expected)


def test_perceptual_matches_torchvision(random_vgg, tv_vgg19_features):
    pred, gt, mask = _batch()
    loss = MODELS.build(
        dict(
            type='PerceptualLoss',
            loss_weight=0.1,
            layer_weights=[1, 1, 1, 1, 2],
            feature_net=random_vgg,
        )
    )
    expected = 0
    for w, idx in zip((1, 1, 1, 1, 2), (1, 6, 11, 20, 29)):
        diff = tv_feature(tv_vgg19_features, pred, idx) - tv_feature(
            tv_vgg19_features, gt, idx
        )
        expected = expected + w * diff.abs().mean()
    torch.testing.assert_close(loss(pred, gt, mask), expected * 0.1)


def test_style_matches_torchvision(random_vgg, tv_vgg19_features):
    pred, gt, mask = _batch()
    loss = StyleLoss(loss_weight=250.0, feature_net=random_vgg)
    expected = 0
    for idx in (8, 17, 26, 31):
        fp = tv_feature(tv_vgg19_features, pred * mask, idx)
        fg = tv_feature(tv_vgg19_features, gt * mask, idx)
        n, c, h, w = fp.shape
        gp = fp.reshape(n, c, -1) @ fp.reshape(n, c, -1).transpose(1, 2) / (c * h * w)
        gg = fg.reshape(n, c, -1) @ fg.reshape(n, c, -1).transpose(1, 2) / (c * h * w)
        expected = expected + (gp - gg).abs().mean()
    torch.testing.assert_close(loss(pred, gt, mask), expected * 250.0)


def test_style_hole_only(random_vgg):
    pred, gt, mask = _batch()
    loss = StyleLoss(feature_net=random_vgg)
    base = loss(pred, gt, mask)
    noise = torch.rand_like(pred)
    outside = torch.where(mask.bool(), pred, noise)
    inside = torch.where(mask.bool(), noise, pred)
    torch.testing.assert_close(loss(outside, gt, mask), base)
    torch.testing.assert_close(
        loss(pred, torch.where(mask.bool(), gt, noise), mask), base
    )
    assert not torch.allclose(loss(inside, gt, mask), base)
    whole = StyleLoss(feature_net=random_vgg, hole_only=False)
    assert not torch.allclose(whole(outside, gt, mask), whole(pred, gt, mask))
    with pytest.raises(InvalidMaskError, match='needs the mask'):
        loss(pred, gt)


def test_gradients_reach_pred_only(random_vgg):
    pred, gt, mask = _batch()
    pred.requires_grad_(True)
    gt.requires_grad_(True)
    perc = PerceptualLoss(feature_net=random_vgg)
    style = StyleLoss(feature_net=random_vgg)
    assert perc.feature_net is style.feature_net
    (perc(pred, gt, mask) + style(pred, gt, mask)).backward()
    assert pred.grad.abs().sum() > 0
    assert gt.grad is None
    # style sees only the hole: no gradient outside it
    pred.grad = None
    style(pred, gt, mask).backward()
    assert pred.grad[:, :, 13:].abs().sum() == 0
    assert pred.grad[:, :, 4:12, 2:10].abs().sum() > 0


def test_layer_config_errors():
    with pytest.raises(ConfigError, match='layer_weights has 2'):
        PerceptualLoss(layers=(1, 6, 11), layer_weights=(1, 1))
    with pytest.raises(ConfigError, match='must not be empty'):
        StyleLoss(layers=())
