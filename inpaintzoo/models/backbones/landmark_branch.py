"""Attach NCLG-MT's landmark branch to any image generator by config."""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.backbones.nclg_generator import NCLGOutput
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


@MODELS.register_module()
class LandmarkBranchGenerator(BaseModule):
    """An image generator plus a landmark head reading one of its features.

    A forward hook on the generator's sub-module ``feature`` (a name of
    ``generator.named_modules()``, e.g. ``'latent'`` of ``InpaintUNet``) keeps its
    output ``(B, C, h, w)``; the head (``LandmarkPredictor`` by default) predicts
    ``(B, 2K)`` normalised (x, y) from it, using the same feature as its context
    (the borrow term ``gamma * mean(context)``). Unlike NCLG-MT's own generator,
    the points are not fed back into the image decoder: this is multi-task
    learning on a shared encoder (the thesis's "Base+Lmk" sharing without the map
    fusion). The image generator is unchanged, so its checkpoints load under
    ``generator.*``.

    Shapes: ``(img (B, 3, H, W), mask (B, 1, H, W)) ->
    NCLGOutput(image (B, 3, H, W), landmarks (B, 2K))``.

    Args:
        generator (dict): config of the image generator ``(img, mask) -> image``
            (or ``(image, landmarks)``, whose landmarks are replaced).
        feature (str): name of the tapped sub-module.
        in_channels (int): channels ``C`` of the tapped feature.
        landmark (dict, optional): head config, built with ``in_channels``,
            ``num_points`` and, when it takes them and they are not set,
            ``node_channels = (C/4, C/4, C - C/2)`` (their sum must be ``C``).
            Defaults to ``LandmarkPredictor`` with ``expand_channels = 5C``.
        num_points (int): Landmarks. Defaults to 68.
        init_cfg (dict, optional): MMEngine init config.

    Raises:
        ConfigError: ``feature`` is not a sub-module of the generator.
    """

    def __init__(
        self,
        generator: dict,
        feature: str,
        in_channels: int,
        landmark: dict | None = None,
        num_points: int = 68,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.generator = MODELS.build(generator)
        modules = dict(self.generator.named_modules())
        if feature not in modules or not feature:
            near = [n for n in modules if n and '.' not in n]
            raise ConfigError(
                f'LandmarkBranchGenerator.feature {feature!r} is not a sub-module '
                f'of {type(self.generator).__name__}; top-level ones: {near}'
            )
        self.feature = feature
        c = int(in_channels)
        cfg = dict(landmark or dict(type='LandmarkPredictor', expand_channels=5 * c))
        if cfg.get('type') == 'LandmarkPredictor' and 'node_channels' not in cfg:
            cfg['node_channels'] = (c // 4, c // 4, c - 2 * (c // 4))
        self.landmark = MODELS.build(
            cfg, default_args=dict(in_channels=c, num_points=num_points)
        )
        self._tapped: torch.Tensor | None = None
        modules[feature].register_forward_hook(self._keep)

    def _keep(self, module: nn.Module, args, output) -> None:
        self._tapped = output[0] if isinstance(output, tuple) else output

    def forward(self, img: torch.Tensor, mask: torch.Tensor) -> NCLGOutput:
        """Inpaint and predict landmarks from the tapped feature.

        Args:
            img (Tensor): ``(B, 3, H, W)`` in [0, 1].
            mask (Tensor): ``(B, 1, H, W)``, 1 = hole.

        Returns:
            NCLGOutput: ``(image (B, 3, H, W), landmarks (B, 2K))``.
        """
        self._tapped = None
        out = self.generator(img, mask)
        image = out[0] if isinstance(out, tuple) else out
        feat, self._tapped = self._tapped, None
        if feat is None:
            raise RuntimeError(
                f'LandmarkBranchGenerator: {self.feature!r} was not called by the '
                'generator forward'
            )
        return NCLGOutput(image, self.landmark(feat, feat))
