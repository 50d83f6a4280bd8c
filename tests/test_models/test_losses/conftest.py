"""Fixtures for the loss tests: one random torchvision VGG-19 ``features`` stack."""

import pytest
import torch
import torchvision

from inpaintzoo.models.losses import clear_shared_feature_nets


@pytest.fixture(scope='session')
def tv_vgg19_features() -> torch.nn.Sequential:
    """Torchvision's own random-init VGG-19 ``features`` (frozen, eval)."""
    torch.manual_seed(123)
    features = torchvision.models.vgg19(weights=None).features
    return features.eval().requires_grad_(False)


@pytest.fixture
def vgg_weights_file(tmp_path, tv_vgg19_features):
    """``tv_vgg19_features.state_dict()`` saved to a file."""
    path = tmp_path / 'vgg19_features.pth'
    torch.save(tv_vgg19_features.state_dict(), path)
    return path


@pytest.fixture(autouse=True)
def _fresh_shared_nets():
    clear_shared_feature_nets()
    yield
    clear_shared_feature_nets()


def tv_feature(features: torch.nn.Sequential, x: torch.Tensor, idx: int):
    """Output of ``features[idx]`` computed directly with torchvision's layers."""
    return features[: idx + 1](x)
