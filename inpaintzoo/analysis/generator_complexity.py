"""Complexity of a config's generator on an (image, mask) input of a given size."""

from __future__ import annotations

import torch
from mmengine.analysis import parameter_count
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.analysis.complexity_report import ComplexityReport
from inpaintzoo.analysis.flops import count_complexity
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.config_paths import resolve_config
from inpaintzoo.utils.errors import ConfigError


def generator_inputs(
    shape: tuple[int, int], batch: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """A random image and a centred square hole of half the side (as the benchmark).

    Args:
        shape (tuple[int, int]): (H, W).
        batch (int): N. Defaults to 1.

    Returns:
        tuple[Tensor, Tensor]: img (N, 3, H, W) in [0, 1], mask (N, 1, H, W) with
        1 = hole.
    """
    h, w = shape
    img = torch.rand(batch, 3, h, w)
    mask = torch.zeros(batch, 1, h, w)
    mask[..., h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = 1
    return img, mask


def generator_complexity(
    config: str,
    shape: tuple[int, int] = (256, 256),
    batch: int = 1,
    cfg_options: dict | None = None,
    mode: str = 'units',
) -> ComplexityReport:
    """Parameters and MACs of ``config``'s generator forward on the CPU.

    Args:
        config (str): a config file path, or a config name under ``configs/``
            (``'mxt/mxt-tiny_1xb4-300_demo-64x64.py'``; a leading ``configs/``
            is accepted), found in a checkout or an installed package as
            :func:`inpaintzoo.apis.init_model` finds it.
        shape (tuple[int, int]): Input (H, W). Defaults to (256, 256).
        batch (int): Batch size N. Defaults to 1.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
        mode (str): ``'units'`` or ``'whole'`` (see :func:`count_complexity`).

    Returns:
        ComplexityReport: with ``extra`` holding the config file's path and the
        discriminator's parameter count (None without one).

    Raises:
        ConfigNotFoundError: ``config`` is neither a file nor a config name
            (a ``FileNotFoundError``; the message lists the folders searched).
        ConfigError: for a non-positive shape or batch, or a model without
            ``generator``.
    """
    path = resolve_config(config)
    if batch < 1 or len(shape) != 2 or min(shape) < 1:
        raise ConfigError(
            f'shape must be two positive integers (H W) and batch >= 1, got '
            f'shape={tuple(shape)}, batch={batch}'
        )
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(str(path))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = MODELS.build(cfg.model)
    generator = getattr(model, 'generator', None)
    if generator is None:
        raise ConfigError(
            f'{config}: model type {cfg.model.get("type")!r} has no generator; '
            'get_flops counts inpainting generators (model.generator in the config)'
        )
    generator.eval()
    report = count_complexity(generator, generator_inputs(shape, batch), mode=mode)
    disc = getattr(model, 'discriminator', None)
    report.extra.update(
        config=str(path),
        discriminator_params=None if disc is None else int(parameter_count(disc)['']),
        threads=torch.get_num_threads(),
    )
    return report
