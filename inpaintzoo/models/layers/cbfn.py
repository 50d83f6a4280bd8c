"""Context-broadcasting FFN (MxT's CBFN, reference-models §3.5)."""

import torch

from inpaintzoo.models.layers.ffn import GDFN
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class CBFN(GDFN):
    """GDFN followed by adding its global mean (over C, H and W) to every element.

    ``y = GDFN(x); y + mean_{C,H,W}(y)`` (one scalar per sample). Keys are the
    GDFN's (``project_in``, ``dwconv``, ``project_out``).

    Args:
        dim (int): Channels C.
        expansion (float): Hidden width factor. Defaults to 2 (MxT).
        bias (bool): Bias of the convolutions. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        expansion: float = 2.0,
        bias: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(dim, expansion=expansion, bias=bias, init_cfg=init_cfg)

    fuses_residual = False  # the broadcast mean comes after the product

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """Apply the FFN.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W).
        """
        y = super().forward(x)
        return y + y.mean(dim=(1, 2, 3), keepdim=True)
