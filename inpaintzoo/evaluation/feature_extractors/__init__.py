"""Frozen pretrained feature networks for LPIPS and FID, built offline."""

from .inception import InceptionPool3
from .lpips_net import build_lpips, load_trunk_weights, lpips_distance
from .weights import HUB_FILES, find_weights, hub_checkpoint_dir

__all__ = [
    'HUB_FILES',
    'InceptionPool3',
    'build_lpips',
    'find_weights',
    'hub_checkpoint_dir',
    'load_trunk_weights',
    'lpips_distance',
]
