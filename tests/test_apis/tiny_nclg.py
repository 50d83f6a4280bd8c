"""A tiny NCLG-MT for tests: the official generator at a small fixed input size.

``'NCLGInpaintor'`` (default) is the real NCLG-MT inpaintor (generator,
discriminator, adversarial loss; no VGG losses, inference only);
``'BaseInpaintor'`` wraps the same generator in the plain inpaintor, whose
``generate`` returns the generator's ``(image, landmarks)`` tuple as is. Both are
built from the config by ``init_model`` like any zoo model.
"""

from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS


def tiny_nclg_generator(input_size: int, width: int = 16) -> dict:
    """An official NCLG-MT generator fixed to ``input_size``², one residual block,
    widths ``width``/2``width``/4``width`` and a landmark predictor of matching size."""
    return dict(
        type='NCLGGenerator',
        residual_blocks=1,
        input_size=input_size,
        base_channels=width,
        landmark=dict(
            type='LandmarkPredictor',
            expand_channels=4 * width,
            node_channels=(width, width, 2 * width),
        ),
    )


def tiny_nclg_config(input_size: int = 64, inpaintor: str = 'NCLGInpaintor') -> Config:
    """Config of an NCLG-MT fixed to ``input_size``²: widths 16/32/64, one block."""
    model = dict(
        type=inpaintor,
        generator=tiny_nclg_generator(input_size),
    )
    if inpaintor == 'NCLGInpaintor':
        model.update(
            discriminator=dict(
                type='PatchDiscriminator', in_channels=3, base_channels=16
            ),
            gan_loss=dict(type='GANLoss', gan_type='lsgan', loss_weight=0.01),
        )
    return Config(dict(default_scope='inpaintzoo', img_size=input_size, model=model))


def write_tiny_nclg(
    folder: Path,
    input_size: int = 64,
    seed: int = 0,
    inpaintor: str = 'NCLGInpaintor',
) -> tuple[Path, Path]:
    """Dump the tiny config and a random (seeded) checkpoint into ``folder``.

    Returns:
        tuple[Path, Path]: ``(config .py, checkpoint .pth)``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cfg = tiny_nclg_config(input_size, inpaintor)
    config = folder / f'nclg_tiny_{inpaintor}_{input_size}.py'
    cfg.dump(str(config))
    init_default_scope('inpaintzoo')
    torch.manual_seed(seed)
    net = MODELS.build(cfg.model)
    ckpt = folder / f'nclg_tiny_{inpaintor}_{input_size}.pth'
    torch.save(dict(state_dict=net.state_dict()), ckpt)
    return config, ckpt
