"""Snake Mamba Block (SMB) of SEM-Net with Snake Bi-Directional Modelling (§4.2).

Attention slot contract: ``__init__(dim, num_heads, ...)`` and
``forward(x: (N, C, H, W)) -> (N, C, H, W)``.
"""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.models.ssm.positional import SinusoidalPositionalEmbedding
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class SnakeMambaBlock(BaseModule):
    """Scan a map into K sequences, run a LayerNorm + Mamba per sequence, un-scan, sum.

    For sequence ``k`` of the scanner (``(N, L, C)``, ``L = H * W``)::

        y_k = mambas[k](norms[k](s_k + PE[:L]))

    and the output is ``scanner.unflatten([y_1 .. y_K])`` = the sum of the K
    un-scanned maps (no projection, no residual). The same sinusoidal ``PE[:L]``
    (positional-enhancement layer, built once per length and cached) is added to
    every sequence. With the default :class:`BiSnakeScan` this is SEM-Net's SBDM:
    ``norms.0``/``mambas.0`` = official ``attn.norm``/``attn.mamba`` (row snake),
    ``norms.1``/``mambas.1`` = ``attn.norm2``/``attn.mamba2`` (column snake).

    Ablations are config swaps: ``scanner=dict(type='RasterScan')`` (raster),
    ``'SnakeScan'`` (uni-directional snake), ``'CrossScan'`` (4-way), and
    ``pos_embed=False`` (no PE).

    Args:
        dim (int): Channels C (even when ``pos_embed``).
        num_heads (int): Accepted for the attention-slot contract; unused.
        scanner (dict, optional): Scanner config (``MODELS``). Defaults to
            ``dict(type='BiSnakeScan')``.
        pos_embed (bool): Add the sinusoidal positional table. Defaults to True.
        mamba (dict, optional): Mamba config, built with ``d_model=dim``. Defaults
            to ``dict(type='MambaBlock', d_state=16, d_conv=4, expand=2)``.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    size_divisor = 1

    def __init__(
        self,
        dim: int,
        num_heads: int = 1,
        scanner: dict | None = None,
        pos_embed: bool = True,
        mamba: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        scanner = dict(scanner) if scanner is not None else dict(type='BiSnakeScan')
        mamba = (
            dict(mamba)
            if mamba is not None
            else dict(type='MambaBlock', d_state=16, d_conv=4, expand=2)
        )
        self.scanner = MODELS.build(scanner)
        k = int(self.scanner.num_sequences)
        self.pos_embed = SinusoidalPositionalEmbedding(dim) if pos_embed else None
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(k))
        self.mambas = nn.ModuleList(
            MODELS.build(mamba, default_args=dict(d_model=dim)) for _ in range(k)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mix tokens along the scanner's sequences.

        Args:
            x (Tensor): (N, C, H, W) normalised features.

        Returns:
            Tensor: (N, C, H, W), the sum of the K un-scanned Mamba outputs.
        """
        h, w = x.shape[-2:]
        seqs = self.scanner.flatten(x)  # (N, K, L, C)
        if self.pos_embed is not None:
            seqs = self.pos_embed(seqs)
        outs = [
            mamba(norm(seqs[:, k]))
            for k, (norm, mamba) in enumerate(zip(self.norms, self.mambas))
        ]
        return self.scanner.unflatten(torch.stack(outs, dim=1), h, w)
