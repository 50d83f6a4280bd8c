"""Official HINT generator (reference-models §2.3) -> ``configs/_base_/models/hint.py``.

Every official key is used: the converter maps all of them (no dead keys).
"""

from typing import ClassVar

from inpaintzoo.models.converters.official_unet import (
    MPD_FUSE,
    UNET_DEFAULTS,
    UNET_TOP,
    UNetOfficialConverter,
)
from inpaintzoo.registry import CONVERTERS

#: inside one sandwich block (official -> ``SandwichBlock``). Order matters:
#: ``norm1_1`` must be tried before ``norm1``.
SANDWICH_BLOCK = [
    ('norm1_1.body.{p}', 'norm1.{p}'),
    ('ffn1.project_in.{p}', 'ffn1.project_in.{p}'),
    ('ffn1.dwconv.{p}', 'ffn1.dwconv.{p}'),
    ('ffn1.project_out.{p}', 'ffn1.project_out.{p}'),
    ('norm1.body.{p}', 'norm2.{p}'),
    ('attn.temperature', 'attn.temperature'),
    ('attn.qkv.{p}', 'attn.qkv.{p}'),
    ('attn.qkv_dwconv.{p}', 'attn.qkv_dwconv.{p}'),
    ('attn.project_out.{p}', 'attn.project_out.{p}'),
    ('attn.conv.0.{p}', 'attn.spatial.conv1.{p}'),
    ('attn.conv.1.body.{p}', 'attn.spatial.norm1.{p}'),
    ('attn.conv.3.{p}', 'attn.spatial.conv2.{p}'),
    ('attn.conv.4.body.{p}', 'attn.spatial.norm2.{p}'),
    ('norm2.body.{p}', 'norm3.{p}'),
    ('ffn.project_in.{p}', 'ffn2.project_in.{p}'),
    ('ffn.dwconv.{p}', 'ffn2.dwconv.{p}'),
    ('ffn.project_out.{p}', 'ffn2.project_out.{p}'),
]


@CONVERTERS.register_module(name='hint')
class HINTConverter(UNetOfficialConverter):
    """Official ``HINT(**kwargs)`` = ``InpaintUNet`` with sandwich blocks and MPD.

    Official defaults: dim 48, blocks [4, 6, 6, 8], heads [1, 2, 4, 8], FFN factor
    2.66, bias False, WithBias LayerNorm, 4 -> 3 channels.
    """

    arch = 'hint'
    official_name = 'HINT'
    signature = (r'^down1_2\.proj\.', r'\.attn\.conv\.0\.')
    detect_priority = 50  # after MxT, whose dead keys include HINT's signature
    base_config = '_base_/models/hint.py'
    official_defaults: ClassVar[dict] = dict(UNET_DEFAULTS, ffn_expansion_factor=2.66)
    top_pairs = UNET_TOP[:4] + MPD_FUSE + UNET_TOP[4:]
    block_pairs = SANDWICH_BLOCK
    bias_paths = ('embed.bias', 'block.attn.bias', 'block.ffn.bias', 'bias')
    temperature_key = 'attn.temperature'
    embed_factor = 2
