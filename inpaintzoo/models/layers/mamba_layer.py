"""``MambaLayer``: MxT's name of :class:`MambaMixer` (kept for existing configs)."""

from inpaintzoo.models.layers.mamba_mixer import MambaMixer
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class MambaLayer(MambaMixer):
    """Alias of :class:`MambaMixer` (default scanner ``RasterScan``, as MxT).

    Same arguments, state-dict keys and dtype policy as :class:`MambaMixer`; new
    configs should use ``type='MambaMixer'``.

    Shapes: ``forward(x)``: ``(N, C, H, W) -> (N, C, H, W)`` with ``C = dim``
    (the map is scanned to ``(N, K, H*W, C)`` token sequences inside).
    """

    default_scanner = dict(type='RasterScan')
