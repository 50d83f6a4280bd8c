"""The empty block: the bare U-Net baseline of thesis Tables 5.1 (a) and 5.2 (a)."""

import torch
from mmengine.model import BaseModule

from inpaintzoo.registry import MODELS


@MODELS.register_module()
class IdentityBlock(BaseModule):
    """A block slot filler without any component: ``forward(x) = x``.

    Thesis Tables 5.1 (a) and 5.2 (a) start from "the baseline U-Net shape model"
    with none of the studied components (no Mamba block, no attention, no FFN).
    With ``block=dict(type='IdentityBlock')`` an :class:`InpaintUNet` keeps only
    its skeleton (embedding, down-samplers, up-samplers, skip reductions and the
    output convolution), so the ablation swaps one registered block and nothing
    else. It has no parameters.

    Block slot contract: ``__init__(dim, num_heads)`` and
    ``forward(x: (N, C, H, W)) -> (N, C, H, W)``; any H, W (``size_divisor = 1``).

    Args:
        dim (int): Channels C (accepted for the slot contract; unused).
        num_heads (int, optional): Accepted for the slot contract; unused.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    #: any H and W work
    size_divisor = 1

    def __init__(
        self, dim: int, num_heads: int | None = None, init_cfg: dict | None = None
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.dim = int(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the input unchanged.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: ``x`` itself, (N, C, H, W).
        """
        return x

    def extra_repr(self) -> str:  # noqa: D102
        return f'dim={self.dim}'
