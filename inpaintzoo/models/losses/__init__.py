"""Training losses and the frozen feature networks they use."""

from .adversarial_loss import GAN_TYPES, GANLoss
from .feature_extractors import (
    LazyFrozen,
    VGGFeatureExtractor,
    clear_shared_feature_nets,
    shared_lazy_frozen,
    vgg_layer_names,
)
from .fft_loss import FFTLoss
from .landmark_loss import LandmarkLoss
from .perceptual_loss import PerceptualLoss, StyleLoss, default_feature_net, gram_matrix
from .pixel_losses import L1Loss, TVLoss

__all__ = [
    'GAN_TYPES',
    'FFTLoss',
    'GANLoss',
    'L1Loss',
    'LandmarkLoss',
    'LazyFrozen',
    'PerceptualLoss',
    'StyleLoss',
    'TVLoss',
    'VGGFeatureExtractor',
    'clear_shared_feature_nets',
    'default_feature_net',
    'gram_matrix',
    'shared_lazy_frozen',
    'vgg_layer_names',
]
