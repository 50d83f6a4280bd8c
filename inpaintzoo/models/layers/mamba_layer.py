"""Mamba token mixer on feature maps: scanner + positional embedding + LN + Mamba.

MxT's ``MambaLayer`` (reference-models §3.3) with a configurable scanner. With a
multi-sequence scanner (``K > 1``) each sequence gets its own ``LayerNorm`` and
Mamba (``norm``/``mamba``, ``norm2``/``mamba2``, ... as SEM-Net names them) unless
``share=True``; all sequences get the same ``PE[:L]``; the scanner fuses the K
outputs by sum.
"""

import torch
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _suffix(k: int) -> str:
    return '' if k == 0 else str(k + 1)


@MODELS.register_module()
class MambaLayer(BaseModule):
    """Scan a map into sequences, add PE, LayerNorm, Mamba, and scan back.

    Runs in at least float32: autocast is disabled inside and float16/bfloat16
    inputs are computed in float32 (as the official layer), the result is cast
    back to the input dtype. No residual inside the layer.

    Args:
        dim (int): Channels C.
        num_heads (int, optional): Accepted for the block-slot contract; unused.
        scanner (dict, optional): Scanner config. Defaults to
            ``dict(type='RasterScan')`` (MxT).
        pos_embed (dict | bool): Positional embedding config built with ``dim``;
            ``True`` = ``dict(type='SinusoidalPositionalEmbedding')``, ``False`` or
            ``None`` = no embedding. Defaults to True.
        mamba (dict, optional): Mamba config built with ``d_model=dim``. Defaults
            to ``dict(type='MambaBlock', d_state=16, d_conv=4, expand=2)``.
        share (bool): One LN + Mamba for all K sequences. Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int | None = None,
        scanner: dict | None = None,
        pos_embed: dict | bool = True,
        mamba: dict | None = None,
        share: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        scanner = dict(scanner) if scanner is not None else dict(type='RasterScan')
        mamba = (
            dict(mamba)
            if mamba is not None
            else dict(type='MambaBlock', d_state=16, d_conv=4, expand=2)
        )
        self.scanner = MODELS.build(scanner)
        self.num_sequences = 1 if share else int(self.scanner.num_sequences)
        if pos_embed is True:
            pos_embed = dict(type='SinusoidalPositionalEmbedding')
        self.pos_embed = (
            MODELS.build(dict(pos_embed), default_args=dict(dim=dim))
            if pos_embed
            else None
        )
        for k in range(self.num_sequences):
            self.add_module(f'norm{_suffix(k)}', nn.LayerNorm(dim))
            self.add_module(
                f'mamba{_suffix(k)}',
                MODELS.build(mamba, default_args=dict(d_model=dim)),
            )

    def _mix(self, tokens: torch.Tensor, k: int) -> torch.Tensor:
        norm = getattr(self, f'norm{_suffix(k)}')
        return getattr(self, f'mamba{_suffix(k)}')(norm(tokens))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mix tokens.

        Args:
            x (Tensor): (N, C, H, W).

        Returns:
            Tensor: (N, C, H, W), same dtype as ``x``.
        """
        n, c, h, w = x.shape
        dtype = x.dtype
        with torch.autocast(device_type=x.device.type, enabled=False):
            if dtype in _LOW_PRECISION:
                x = x.float()
            seqs = self.scanner.flatten(x)  # (N, K, L, C)
            kk = seqs.shape[1]
            if self.pos_embed is not None:
                seqs = self.pos_embed(seqs)
            if self.num_sequences == 1:  # one LN + Mamba for all K: fold K into batch
                out = self._mix(seqs.reshape(n * kk, h * w, c), 0).view(n, kk, h * w, c)
            else:
                out = torch.stack([self._mix(seqs[:, k], k) for k in range(kk)], dim=1)
            return self.scanner.unflatten(out, h, w).to(dtype)
