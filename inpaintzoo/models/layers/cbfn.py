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

    def forward(
        self, x: torch.Tensor, residual: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Apply the FFN.

        Args:
            x (Tensor): (N, C, H, W).
            residual (Tensor, optional): (N, C, H, W) added to the output
                (``residual + (y + mean(y))``; in place without autograd).

        Returns:
            Tensor: (N, C, H, W).
        """
        y = super().forward(x)
        mean = y.mean(dim=(1, 2, 3), keepdim=True)
        if torch.is_grad_enabled() and y.requires_grad:
            return y + mean if residual is None else residual + (y + mean)
        # no autograd: y is this call's own map; the same additions, in place
        y.add_(mean)
        return y if residual is None else y.add_(residual)
