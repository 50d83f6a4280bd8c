import copy
import pickle
import urllib.error

import pytest
import torch
from torch import nn
from torchvision.models.vgg import cfgs, make_layers

from inpaintzoo.models.losses import (
    LazyFrozen,
    PerceptualLoss,
    StyleLoss,
    VGGFeatureExtractor,
    shared_lazy_frozen,
    vgg_layer_names,
)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

from .conftest import tv_feature

RANDOM_VGG = dict(type='VGGFeatureExtractor', weights=None)


def test_layer_names_point_at_relu_and_pool():
    n19 = vgg_layer_names('vgg19')
    assert [
        n19[k] for k in ('relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1')
    ] == [1, 6, 11, 20, 29]
    assert [n19[k] for k in ('relu2_2', 'relu3_4', 'relu4_4', 'relu5_2')] == [
        8,
        17,
        26,
        31,
    ]
    for arch, cfg in (('vgg16', 'D'), ('vgg19', 'E')):
        layers = make_layers(cfgs[cfg])
        for name, idx in vgg_layer_names(arch).items():
            kind = nn.ReLU if name.startswith('relu') else nn.MaxPool2d
            assert isinstance(layers[idx], kind), (arch, name)
    assert vgg_layer_names('vgg16')['relu5_3'] == 29
    with pytest.raises(ConfigError, match='vgg16'):
        vgg_layer_names('vgg11')


def test_extractor_truncates_and_validates():
    ext = VGGFeatureExtractor(layer_indices=('relu1_1', 8), weights=None)
    assert len(ext.features) == 9
    assert ext.layer_indices == (1, 8)
    assert not any(isinstance(m, nn.ReLU) and m.inplace for m in ext.features)
    with pytest.raises(ValueError, match='built up to layer 8'):
        ext(torch.rand(1, 3, 16, 16), (11,))
    with pytest.raises(ConfigError, match='outside'):
        VGGFeatureExtractor(layer_indices=(40,), weights=None)
    with pytest.raises(ConfigError, match='relu9_9'):
        VGGFeatureExtractor(layer_indices=('relu9_9',), weights=None)


def test_local_weights_round_trip(vgg_weights_file, tv_vgg19_features):
    ext = MODELS.build(
        dict(
            type='VGGFeatureExtractor',
            layer_indices=(1, 17, 31),
            weights=str(vgg_weights_file),
        )
    )
    x = torch.rand(2, 3, 16, 16)
    for idx, feat in zip((1, 17, 31), ext(x)):
        torch.testing.assert_close(
            feat, tv_feature(tv_vgg19_features, x, idx), rtol=0, atol=0
        )
    # a whole-VGG state dict ('features.' prefix, other keys ignored) also fits
    sd = {f'features.{k}': v for k, v in tv_vgg19_features.state_dict().items()}
    sd['classifier.0.weight'] = torch.zeros(2, 2)
    path = vgg_weights_file.with_name('whole.pth')
    torch.save(sd, path)
    ext2 = VGGFeatureExtractor(layer_indices=(6,), weights=str(path))
    torch.testing.assert_close(ext2(x)[0], tv_feature(tv_vgg19_features, x, 6))


def test_normalize_input_applies_imagenet_stats(vgg_weights_file):
    x = torch.rand(1, 3, 16, 16)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    norm = VGGFeatureExtractor(
        layer_indices=(6,), weights=str(vgg_weights_file), normalize_input=True
    )
    raw = VGGFeatureExtractor(layer_indices=(6,), weights=str(vgg_weights_file))
    torch.testing.assert_close(norm(x)[0], raw((x - mean) / std)[0])
    assert 'mean' not in norm.state_dict()


def test_bad_weights_files(tmp_path, tv_vgg19_features):
    wrong_keys = tmp_path / 'wrong_keys.pth'
    torch.save({'foo': torch.zeros(1)}, wrong_keys)
    with pytest.raises(CheckpointMismatchError, match=r"missing keys \['0.weight'"):
        VGGFeatureExtractor(weights=str(wrong_keys))
    wrong_shape = tmp_path / 'wrong_shape.pth'
    sd = dict(tv_vgg19_features.state_dict())
    sd['2.weight'] = torch.zeros(3, 3, 3, 3)
    torch.save(sd, wrong_shape)
    with pytest.raises(CheckpointMismatchError, match=r'2.weight: file \(3, 3, 3, 3\)'):
        VGGFeatureExtractor(weights=str(wrong_shape))
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointMismatchError, match='cannot read'):
        VGGFeatureExtractor(weights=str(garbage))
    with pytest.raises(ConfigError, match="is not 'torchvision', None or a file"):
        VGGFeatureExtractor(weights=str(tmp_path / 'missing.pth'))


def test_torchvision_weights_offline_error(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError('no network in tests')

    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', no_network)
    with pytest.raises(FileNotFoundError, match=r'vgg19-dcbb9e9d\.pth') as info:
        VGGFeatureExtractor(weights='torchvision')
    assert str(tmp_path) in str(info.value)
    assert "weights='<local path" in str(info.value)


def test_torchvision_weights_from_hub_cache(tmp_path, monkeypatch, tv_vgg19_features):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))

    def no_download(*args, **kwargs):
        raise AssertionError('tests must not download')

    monkeypatch.setattr(torch.hub, 'download_url_to_file', no_download)
    cached = tmp_path / 'hub' / 'checkpoints' / 'vgg19-dcbb9e9d.pth'
    cached.parent.mkdir(parents=True)
    sd = {f'features.{k}': v for k, v in tv_vgg19_features.state_dict().items()}
    torch.save(sd, cached)
    ext = VGGFeatureExtractor(layer_indices=(11,), weights='torchvision')
    x = torch.rand(1, 3, 16, 16)
    torch.testing.assert_close(ext(x)[0], tv_feature(tv_vgg19_features, x, 11))


def test_lazy_frozen_hidden_built_once_and_differentiable():
    calls = []

    def build():
        calls.append(1)
        return VGGFeatureExtractor(layer_indices=(1, 6), weights=None)

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 1)
            self.net = LazyFrozen(build)

    holder = Holder()
    assert not calls
    assert not holder.net.is_built
    assert set(holder.state_dict()) == {'conv.weight', 'conv.bias'}
    x = torch.rand(1, 3, 16, 16, requires_grad=True)
    feats = holder.net(x)
    feats[1].sum().backward()
    assert x.grad is not None
    assert x.grad.abs().sum() > 0
    feats2 = holder.net(x.detach().double())
    assert len(calls) == 1
    assert holder.net.is_built
    assert feats2[0].dtype == torch.float64
    assert set(holder.state_dict()) == {'conv.weight', 'conv.bias'}
    assert len(list(holder.parameters())) == 2
    assert not any(p.requires_grad for p in holder.net.net.parameters())
    assert not holder.net.net.training


def test_losses_hide_net_and_share_by_config():
    perc, style = PerceptualLoss(), StyleLoss()
    assert perc.feature_net is style.feature_net  # default configs share one VGG
    assert not perc.feature_net.is_built  # nothing loaded at construction
    assert perc.state_dict() == {}
    assert list(style.parameters()) == []
    own = PerceptualLoss(feature_net=RANDOM_VGG, share_feature_net=False)
    assert own.feature_net is not PerceptualLoss(feature_net=RANDOM_VGG).feature_net
    assert shared_lazy_frozen(RANDOM_VGG) is shared_lazy_frozen(dict(RANDOM_VGG))
    with pytest.raises(ConfigError, match="'type'"):
        shared_lazy_frozen({'weights': None})


def test_deepcopy_shares_and_pickle_drops_built_net():
    loss = PerceptualLoss(layers=(1,), feature_net=RANDOM_VGG)
    loss(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16))
    assert loss.feature_net.is_built
    assert copy.deepcopy(loss).feature_net is loss.feature_net
    restored = pickle.loads(pickle.dumps(loss))
    assert not restored.feature_net.is_built
    assert restored(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)) > 0


@pytest.mark.parametrize(
    ('arch', 'pool5', 'last_relu'), [('vgg16', 30, 29), ('vgg19', 36, 35)]
)
def test_default_build_reaches_pool5_and_returns_the_relus(arch, pool5, last_relu):
    torch.manual_seed(0)
    ext = VGGFeatureExtractor(arch=arch, weights=None)
    assert len(ext.features) == pool5 + 1
    assert isinstance(ext.features[pool5], nn.MaxPool2d)
    # the layers returned by default are the ReLUs, as before
    relus = [i for i, m in enumerate(ext.features) if isinstance(m, nn.ReLU)]
    assert ext.layer_indices == tuple(relus)
    assert max(ext.layer_indices) == last_relu
    x = torch.rand(2, 3, 32, 32)
    relu, pool = ext(x, [last_relu, 'pool5'])
    assert pool.shape == (2, 512, 1, 1)
    torch.testing.assert_close(pool, torch.nn.functional.max_pool2d(relu, 2))
    # the thesis's pooling layers through the losses, with the type-less override
    layers = ['pool1', 'pool2', 'pool3', 'pool4', 'pool5']
    net = dict(arch=arch, weights=None)
    assert PerceptualLoss(layers=layers, feature_net=net)(x, x.flip(-1)) > 0
    mask = torch.ones(2, 1, 32, 32)
    assert StyleLoss(layers=layers, feature_net=net)(x, x.flip(-1), mask) > 0


def test_losses_check_their_layers_when_built():
    """Layers the configured VGG cannot return fail at build, not in iteration 1."""
    shallow = dict(RANDOM_VGG, arch='vgg16', layer_indices=['relu5_3'])
    with pytest.raises(ConfigError, match='only up to layer 29'):
        PerceptualLoss(layers=['pool4', 'pool5'], feature_net=shallow)
    with pytest.raises(ConfigError, match="unknown vgg16 layer 'pool6'"):
        StyleLoss(layers=['pool6'], feature_net=dict(arch='vgg16'))
    # within the explicit depth, and non-VGG nets, are not refused
    PerceptualLoss(layers=['pool4'], feature_net=shallow)
    PerceptualLoss(layers=[3], feature_net=dict(type='SomethingElse'))
