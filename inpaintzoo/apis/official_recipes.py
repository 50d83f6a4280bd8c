"""What each official generator is: its class, module file, inputs and stride.

:data:`OFFICIAL_RECIPES` tells :mod:`inpaintzoo.apis.official_benchmark` how to
find, build and call the official HINT, MxT and SEM-Net generators; the
``*_official_inputs`` functions build their test-time forward arguments from an
image and a mask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from inpaintzoo.utils.errors import ConfigError

__all__ = [
    'OFFICIAL_RECIPES',
    'OfficialRecipe',
    'get_recipe',
    'hint_official_inputs',
    'mamba_official_inputs',
    'mxt_official_inputs',
]


def _official_masks(image: torch.Tensor, mask: torch.Tensor) -> tuple:
    """``inp_img`` (holes set to 1), ``mask`` and the mask at 1/2, 1/4, 1/8 size."""
    h, w = mask.shape[-2:]
    scaled = [
        F.interpolate(mask, size=[h // s, w // s], mode='nearest') for s in (2, 4, 8)
    ]
    return (image * (1 - mask) + mask, mask, *scaled)


def hint_official_inputs(
    image: torch.Tensor, mask: torch.Tensor, kwargs: dict | None = None
) -> tuple:
    """Official HINT test-time inputs (``src/models.py``) from image and mask.

    Args:
        image (Tensor): ``(N, 3, H, W)`` in [0, 1].
        mask (Tensor): ``(N, 1, H, W)``, 1 = hole; H and W multiples of 8.
        kwargs (dict, optional): constructor kwargs (unused).

    Returns:
        tuple: ``inp_img`` (holes set to 1), ``mask_whole`` and the mask at 1/2,
        1/4, 1/8 size (nearest).
    """
    return _official_masks(image, mask)


def mamba_official_inputs(
    image: torch.Tensor, mask: torch.Tensor, kwargs: dict, orders: bool = False
) -> tuple[torch.Tensor, ...]:
    """Official MxT / SEM-Net generator inputs: HINT's five, then the PE tables.

    The tables ``pos1..pos4, pos1_dec`` (widths ``dim * (1, 2, 4, 8, 2)``) are the
    official sinusoid (float32 product, :func:`sinusoidal_table`), one row per
    token of the level, built here once as the fixtures were (the official
    wrappers build 0.5-20 M rows, the SEM-Net one on every forward; that is not
    timed here). MxT's generator also takes four orders that it only clones:
    ``arange`` of each level's token count.

    Args:
        image (Tensor): ``(N, 3, H, W)`` in [0, 1].
        mask (Tensor): ``(N, 1, H, W)``, 1 = hole; H and W multiples of 8.
        kwargs (dict): official constructor kwargs (``dim``).
        orders (bool): append MxT's ``order256..order32``.

    Returns:
        tuple[Tensor, ...]: the official forward's positional arguments.
    """
    from inpaintzoo.models.ssm.positional import sinusoidal_table

    h, w = mask.shape[-2:]
    dim, tokens = int(kwargs['dim']), h * w
    sizes = [(tokens, dim), (tokens // 4, 2 * dim), (tokens // 16, 4 * dim)]
    sizes += [(tokens // 64, 8 * dim), (tokens, 2 * dim)]
    tables = [sinusoidal_table(n, d).clone().to(image.dtype) for n, d in sizes]
    extra = [torch.arange(n) for n, _ in sizes[:4]] if orders else []
    return (*_official_masks(image, mask), *tables, *extra)


def mxt_official_inputs(
    image: torch.Tensor, mask: torch.Tensor, kwargs: dict
) -> tuple[torch.Tensor, ...]:
    """:func:`mamba_official_inputs` with MxT's orders."""
    return mamba_official_inputs(image, mask, kwargs, orders=True)


@dataclass(frozen=True)
class OfficialRecipe:
    """How to find, build and call one official generator.

    Attributes:
        arch (str): converter name (``inpaintzoo.models.converters``).
        module_files (tuple[str, ...]): where the generator's module may lie in
            the checkout, tried in order.
        class_name (str): the generator class in that module.
        make_inputs (Callable): ``(image, mask, kwargs) -> official forward
            args`` (kwargs: the official constructor kwargs).
        stride (int): H and W must be multiples of this (no padding there).
        mamba (bool): the code imports ``mamba_ssm`` (CPU patches, see the
            module doc).
    """

    arch: str
    module_files: tuple[str, ...]
    class_name: str
    make_inputs: Callable[[torch.Tensor, torch.Tensor, dict], tuple]
    stride: int
    mamba: bool = False


_NETWORKS = ('src/networks.py', 'networks.py')

#: archs whose official code can be timed against ours
OFFICIAL_RECIPES: dict[str, OfficialRecipe] = {
    'hint': OfficialRecipe('hint', _NETWORKS, 'HINT', hint_official_inputs, 8),
    'mxt': OfficialRecipe('mxt', _NETWORKS, 'MxT', mxt_official_inputs, 8, True),
    'sem_net': OfficialRecipe(
        'sem_net', _NETWORKS, 'SEM', mamba_official_inputs, 8, True
    ),
}


def get_recipe(arch: str) -> OfficialRecipe:
    """The recipe of ``arch``; ConfigError naming the supported archs otherwise."""
    if arch not in OFFICIAL_RECIPES:
        raise ConfigError(
            f'no official-code benchmark for arch {arch!r}; supported: '
            f'{sorted(OFFICIAL_RECIPES)}'
        )
    return OFFICIAL_RECIPES[arch]
