"""``SnakeMambaBlock``: SEM-Net's name of :class:`MambaMixer` (kept for configs)."""

from inpaintzoo.models.layers.mamba_mixer import MambaMixer
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class SnakeMambaBlock(MambaMixer):
    """Alias of :class:`MambaMixer` with SEM-Net's default scanner ``BiSnakeScan``.

    The Snake Mamba Block (SMB) with Snake Bi-Directional Modelling (reference
    §4.2): row snake -> ``norms.0``/``mambas.0``, column snake ->
    ``norms.1``/``mambas.1``. Same arguments, state-dict keys and dtype policy as
    :class:`MambaMixer`; new configs should use ``type='MambaMixer'``.

    Shapes: ``forward(x)``: ``(N, C, H, W) -> (N, C, H, W)`` with ``C = dim``
    (the map is scanned to ``(N, K, H*W, C)`` token sequences inside).
    """

    default_scanner = dict(type='BiSnakeScan')
