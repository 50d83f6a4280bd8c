"""Official SEM-Net generator (reference §4.4) -> ``configs/_base_/models/sem_net.py``.

Official ``SEM`` (ChrisChen1023/SEM-Net ``src/networks.py``) -> ``InpaintUNet`` with
:class:`SEMBlock` (Snake Mamba Block = ``MambaMixer`` with ``BiSnakeScan``, and
``SEFN``). The converter drops the documented dead keys, which the official
forward never reaches: every block's ``norm1_1`` + ``ffn1`` (a whole second SEFN),
``down*.proj``, the ``refinement`` stage and ``output_before``. At paper size that
is 56,661,696 of 138,099,744 parameters; the remaining 81,438,048 are the network.
"""

from typing import ClassVar

from inpaintzoo.models.converters.official_unet import (
    MAMBA_UNET_DEFAULTS,
    UNetOfficialConverter,
    mamba_unet_dead_keys,
    mixer_pairs,
)
from inpaintzoo.registry import CONVERTERS

#: SEFN keys inside one block (official ``ffn.*`` / dead ``ffn1.*`` -> ours)
SEFN_PAIRS = [
    ('project_in.{p}', 'project_in.{p}'),
    ('dwconv.{p}', 'dwconv.{p}'),
    ('fusion.{p}', 'fusion.{p}'),
    ('dwconv_afterfusion.{p}', 'dwconv_afterfusion.{p}'),
    ('project_out.{p}', 'project_out.{p}'),
    ('conv.0.{p}', 'spatial.conv1.{p}'),
    ('conv.1.body.{p}', 'spatial.norm1.{p}'),
    ('conv.3.{p}', 'spatial.conv2.{p}'),
    ('conv.4.body.{p}', 'spatial.norm2.{p}'),
]

#: inside one SEM block (official ``TransformerBlock`` -> ``SEMBlock``). Sequence 0
#: of ``BiSnakeScan`` (row snake) = ``attn.norm``/``attn.mamba``; sequence 1
#: (column snake) = ``attn.norm2``/``attn.mamba2``.
SEM_BLOCK = [
    ('norm1.body.{p}', 'norm1.{p}'),
    *mixer_pairs('attn.', 'attn.', ['', '2']),
    ('norm2.body.{p}', 'norm2.{p}'),
    *[(f'ffn.{a}', f'ffn.{b}') for a, b in SEFN_PAIRS],
]

_DEAD_IN_BLOCK = ['norm1_1.body.{p}'] + [f'ffn1.{a}' for a, _ in SEFN_PAIRS]


@CONVERTERS.register_module(name='sem_net')
class SEMNetConverter(UNetOfficialConverter):
    """Official ``SEM(**kwargs)`` = ``InpaintUNet`` with SEM blocks.

    Official defaults as HINT but FFN factor 2; ``heads`` are accepted and unused
    by the network, ``num_refinement_blocks`` only sizes the dead ``refinement``
    stage.
    """

    arch = 'sem_net'
    official_name = 'SEM-Net'
    signature = (r'\.attn\.mamba\.',)
    detect_priority = 10
    base_config = '_base_/models/sem_net.py'
    official_defaults: ClassVar[dict] = dict(MAMBA_UNET_DEFAULTS)
    block_pairs = SEM_BLOCK
    dead_keys: ClassVar[list[str]] = mamba_unet_dead_keys(
        [official for official, _ in SEM_BLOCK], _DEAD_IN_BLOCK
    )
    bias_paths = ('embed.bias', 'block.ffn.bias', 'bias')
    temperature_key = None  # the Snake Mamba Block has no heads
    embed_factor = 1
