"""Training without pretrained loss weights: the documented switch works offline."""

import urllib.error
from argparse import ArgumentParser
from pathlib import Path

import pytest
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from inpaintzoo.models.losses import PerceptualLoss, StyleLoss
from inpaintzoo.models.losses.perceptual_loss import resolve_feature_net
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]
SWITCH = [
    'model.losses.perceptual.feature_net.weights=None',
    'model.losses.style.feature_net.weights=None',
]


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network and an empty torch.hub cache."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError('offline')

    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', no_network)


def _paper_losses(cfg_options: list[str]) -> dict:
    """The HINT paper config's losses after ``--cfg-options`` as tools/train.py."""
    parser = ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(['--cfg-options', *cfg_options] if cfg_options else [])
    cfg = Config.fromfile(
        str(REPO / 'configs/hint/hint_1xb4-300k_celeba-hq-256x256.py')
    )
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg.model.losses


def _run(loss) -> torch.Tensor:
    pred, gt = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    mask = torch.zeros(1, 1, 16, 16)
    mask[..., 4:12, 4:12] = 1
    return loss(pred, gt, mask)


def test_cfg_options_switch_trains_offline(offline):
    init_default_scope('inpaintzoo')
    losses = _paper_losses(SWITCH)
    for name in ('perceptual', 'style'):
        loss = MODELS.build(losses[name])
        assert loss.feature_net._build.args[0]['weights'] is None
        value = _run(loss)
        assert torch.isfinite(value)
        assert value > 0
        assert loss.feature_net.net.arch == 'vgg19'  # the rest of the default kept


def test_without_switch_offline_error_names_it(offline):
    init_default_scope('inpaintzoo')
    loss = MODELS.build(_paper_losses([]).perceptual)
    with pytest.raises(FileNotFoundError) as info:
        _run(loss)
    for option in SWITCH:
        assert option in str(info.value)


def test_partial_feature_net_overrides_default():
    cfg = resolve_feature_net(dict(weights=None, arch='vgg16'))
    assert cfg == dict(
        type='VGGFeatureExtractor',
        arch='vgg16',
        layer_indices=None,
        weights=None,
        normalize_input=False,
    )
    assert resolve_feature_net(None)['weights'] == 'torchvision'
    whole = dict(type='VGGFeatureExtractor', weights=None)
    assert resolve_feature_net(whole) == whole
    with pytest.raises(ConfigError, match=r"unknown keys \['wieghts'\]"):
        PerceptualLoss(feature_net=dict(wieghts=None))
    with pytest.raises(ConfigError, match='config dict'):
        StyleLoss(feature_net='vgg19')
