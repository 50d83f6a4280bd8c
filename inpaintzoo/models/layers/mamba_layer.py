"""``MambaLayer``: MxT's name of :class:`MambaMixer` (kept for existing configs)."""

from inpaintzoo.models.layers.mamba_mixer import MambaMixer
from inpaintzoo.registry import MODELS


@MODELS.register_module()
class MambaLayer(MambaMixer):
    """Alias of :class:`MambaMixer` (default scanner ``RasterScan``, as MxT).

    Same arguments, state-dict keys and dtype policy as :class:`MambaMixer`; new
    configs should use ``type='MambaMixer'``.
    """

    default_scanner = dict(type='RasterScan')
