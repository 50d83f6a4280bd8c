"""The one Mamba token mixer of MxT and SEM-Net: scanner + PE + LayerNorm + Mamba.

MxT's Mamba branch (reference-models §3.3, raster scan, one sequence) and SEM-Net's
Snake Mamba Block (§4.2, row + column snake, one LayerNorm + Mamba per sequence)
are the same computation with a different scanner, so both are
:class:`MambaMixer` configs. For sequence ``k`` of the scanner
(``(N, L, C)``, ``L = H * W``)::

    y_k = mambas[k](norms[k](s_k + PE[:L]))

and the output is ``scanner.unflatten([y_1 .. y_K])`` = the sum of the K
un-scanned maps (no projection, no residual).

State-dict layout: ``norms.<k>.{weight,bias}`` and ``mambas.<k>.<mamba param>``
(one entry when ``share=True``). The official key names (MxT ``mam.norm`` /
``mam.mamba``, SEM-Net ``attn.norm`` / ``attn.mamba`` / ``attn.norm2`` /
``attn.mamba2``) are mapped by the converters in ``inpaintzoo.models.converters``.

Dtype policy (one for every scanner): the mixer runs with autocast disabled and in
at least float32 - float16 / bfloat16 inputs (or parameters) are computed in
float32, float64 stays float64 - and the result is cast back to the input dtype.
The selective scan is a long recurrence; float32 keeps it stable under AMP and
``.half()`` / ``.bfloat16()`` models, and float32 / float64 paths are unchanged
(bit-exact to the official fixtures).
"""

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import nn

from inpaintzoo.registry import MODELS


def compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """Dtype the mixer computes in for inputs of ``dtype``.

    Args:
        dtype (torch.dtype): input dtype.

    Returns:
        torch.dtype: float64 for float64, float32 for everything else.
    """
    return torch.float64 if dtype == torch.float64 else torch.float32


@MODELS.register_module()
class MambaMixer(BaseModule):
    """Scan a map into K sequences, add PE, LayerNorm + Mamba per sequence, un-scan.

    Attention-slot contract: ``__init__(dim, num_heads, ...)`` and
    ``forward(x: (N, C, H, W)) -> (N, C, H, W)``; any H, W (``size_divisor = 1``).

    Configurations used by the model zoo:

    * MxT: ``scanner=dict(type='RasterScan')`` (K = 1).
    * SEM-Net (SBDM): ``scanner=dict(type='BiSnakeScan')`` (K = 2, row snake =
      official ``attn.norm``/``attn.mamba``, column snake = ``attn.norm2`` /
      ``attn.mamba2``).
    * Ablations: ``'SnakeScan'``, ``'BiRasterScan'``, ``'CrossScan'``,
      ``pos_embed=False``, ``share=True`` (one LN + Mamba for all K sequences).

    Args:
        dim (int): Channels C (even when ``pos_embed`` is on).
        num_heads (int, optional): Accepted for the attention-slot contract; unused.
        scanner (dict, optional): Scanner config (``MODELS``). Defaults to
            ``dict(type='RasterScan')``.
        pos_embed (dict | bool): Positional embedding config, built with ``dim``;
            ``True`` = ``dict(type='SinusoidalPositionalEmbedding')``; ``False`` or
            ``None`` = no embedding. The same ``PE[:L]`` is added to every
            sequence. Defaults to True.
        mamba (dict, optional): Mamba config built with ``d_model=dim``. Defaults
            to ``dict(type='MambaBlock', d_state=16, d_conv=4, expand=2)``.
        share (bool): One LayerNorm + Mamba for all K sequences (the K sequences
            are folded into the batch). Defaults to False.
        init_cfg (dict, optional): MMEngine init config. Defaults to None.
    """

    #: any H and W work
    size_divisor = 1
    #: scanner used when ``scanner`` is not given
    default_scanner: dict = dict(type='RasterScan')

    def __init__(
        self,
        dim: int,
        num_heads: int | None = None,
        scanner: dict | None = None,
        pos_embed: dict | bool | None = True,
        mamba: dict | None = None,
        share: bool = False,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        scanner = dict(scanner if scanner is not None else self.default_scanner)
        mamba = (
            dict(mamba)
            if mamba is not None
            else dict(type='MambaBlock', d_state=16, d_conv=4, expand=2)
        )
        self.dim = int(dim)
        self.share = bool(share)
        self.scanner = MODELS.build(scanner)
        num_mixers = 1 if share else int(self.scanner.num_sequences)
        if pos_embed is True:
            pos_embed = dict(type='SinusoidalPositionalEmbedding')
        self.pos_embed = (
            MODELS.build(dict(pos_embed), default_args=dict(dim=dim))
            if pos_embed
            else None
        )
        self.norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(num_mixers))
        self.mambas = nn.ModuleList(
            MODELS.build(mamba, default_args=dict(d_model=dim))
            for _ in range(num_mixers)
        )

    def _mix(self, tokens: torch.Tensor, k: int) -> torch.Tensor:
        """LayerNorm + Mamba ``k`` on ``(B, L, C)`` tokens in their dtype."""
        norm = self.norms[k]
        dtype = tokens.dtype
        weight = None if norm.weight is None else norm.weight.to(dtype)
        bias = None if norm.bias is None else norm.bias.to(dtype)
        normed = F.layer_norm(tokens, norm.normalized_shape, weight, bias, norm.eps)
        return self.mambas[k](normed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mix tokens along the scanner's sequences.

        Args:
            x (Tensor): (N, C, H, W) normalised features, any float dtype.

        Returns:
            Tensor: (N, C, H, W) in the dtype of ``x``: the sum of the K
            un-scanned Mamba outputs.
        """
        n, c, h, w = x.shape
        out_dtype = x.dtype
        with torch.autocast(device_type=x.device.type, enabled=False):
            # channels-last storage makes the (N, L, C) token view free and the
            # scanner's gather read whole C-vectors (a no-op for a map that
            # already is channels-last, e.g. the PyTorch path's channel norm)
            x = x.to(compute_dtype(out_dtype)).contiguous(
                memory_format=torch.channels_last
            )
            seqs = self.scanner.flatten(x)  # (N, K, L, C)
            kk = seqs.shape[1]
            if self.pos_embed is not None:
                seqs = self.pos_embed(seqs)
            if len(self.mambas) == 1:  # one LN + Mamba for all K: fold K into batch
                out = self._mix(seqs.reshape(n * kk, h * w, c), 0)
                out = out.view(n, kk, h * w, c)
            else:
                out = torch.stack([self._mix(seqs[:, k], k) for k in range(kk)], dim=1)
            return self.scanner.unflatten(out, h, w).to(out_dtype)

    def extra_repr(self) -> str:  # noqa: D102
        k = self.scanner.num_sequences
        return f'dim={self.dim}, sequences={k}, share={self.share}'
