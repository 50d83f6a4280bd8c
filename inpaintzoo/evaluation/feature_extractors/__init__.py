"""Frozen pretrained feature networks for LPIPS and FID, built offline.

:class:`InceptionPool3` is imported on first access: its module subclasses
torchvision's Inception blocks, and importing torchvision loads ``torch._dynamo``
(which replaces ``torch.manual_seed`` and sets ``TORCHINDUCTOR_CACHE_DIR``).
"""

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


def __getattr__(name: str) -> type:
    if name == 'InceptionPool3':
        from .inception import InceptionPool3

        return InceptionPool3
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
