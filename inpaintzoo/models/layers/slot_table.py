"""What fits each generator slot (the slot table of docs/config_system.md, in code).

A slot (``embed``, ``block``, ``block.attn``, ``down``, ...) is a contract: the
keywords the owner passes and the ``forward`` call it makes. A class fits a slot
when it is one of the slot's registered choices or a subclass of one. A class of
the user's own package (registered in ``MODELS`` from outside ``inpaintzoo``) may
fill any slot whose ``forward`` call it accepts; inpaintzoo's own classes only
fill the slots the table lists them in, so ``down=dict(type='GDFN')`` is refused
at build time instead of failing in the first forward.
``tests/test_models/test_backbones/test_slot_config.py`` checks that the table in
the doc lists the same choices.
"""

import inspect
from dataclasses import dataclass

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError


@dataclass(frozen=True)
class SlotKind:
    """One slot's contract.

    Attributes:
        contract (str): the call and the shapes, for messages.
        choices (tuple[str, ...]): inpaintzoo's registered classes that fit.
        inputs (int | None): positional tensors ``forward`` gets (None: not
            checked, e.g. scanners, which are called through other methods).
    """

    contract: str
    choices: tuple[str, ...]
    inputs: int | None = 1


_SAME = '(N, C, H, W) -> (N, C, H, W)'
MIXERS = ('MambaMixer', 'MambaLayer', 'SnakeMambaBlock')
NORM = SlotKind(f'forward(x): {_SAME}; kwargs dim', ('ChannelLayerNorm',))
ATTN = SlotKind(
    f'forward(x): {_SAME}; kwargs dim, num_heads',
    ('SCAL', 'ChannelAttention', 'SRSA', 'SpatialSelfAttention', *MIXERS),
)

#: slot key (the config key of the slot in its owner) -> its contract
SLOT_KINDS: dict[str, SlotKind] = {
    'embed': SlotKind(
        'forward(x): (N, in_channels, H, W) -> (N, C, H, W); kwargs in_channels, dim',
        ('GatedEmbedding', 'ConvEmbedding'),
    ),
    'block': SlotKind(
        f'forward(x): {_SAME}; kwargs dim, num_heads',
        (
            'SandwichBlock',
            'AttnFFNBlock',
            'ConformerBlock',
            'SEMBlock',
            'HybridBlock',
            'IdentityBlock',
        ),
    ),
    'attn': ATTN,
    # HybridBlock's Mamba branch: a mixer, or any attention module for ablations
    'mamba': ATTN,
    'ffn': SlotKind(f'forward(x): {_SAME}; kwargs dim', ('GDFN', 'CBFN', 'SEFN')),
    'norm': NORM,
    'spatial_norm': NORM,
    'spatial': SlotKind(
        f'forward(x): {_SAME}; kwargs dim',
        ('SpatialGate', 'ConvGELUGate', 'SpatialSelfAttention'),
    ),
    'conv': SlotKind(f'forward(x): {_SAME}; kwargs dim', ('ConformerConvModule',)),
    'scanner': SlotKind(
        'flatten: (N, C, H, W) -> (N, K, L, C), and unflatten back',
        ('RasterScan', 'SnakeScan', 'BiSnakeScan', 'BiRasterScan', 'CrossScan'),
        inputs=None,
    ),
    'pos_embed': SlotKind(
        'forward(tokens): (N, L, C) -> (N, L, C); kwargs dim',
        ('SinusoidalPositionalEmbedding',),
    ),
    'down': SlotKind(
        'forward(x, mask): (N, C, H, W), (N, 1, H, W) -> (N, 2C, H/2, W/2); kwargs dim',
        ('MaskAwareDownsample', 'PixelUnshuffleDownsample', 'StridedConvDownsample'),
        inputs=2,
    ),
    'up': SlotKind(
        'forward(x): (N, C, H, W) -> (N, C/2, 2H, 2W); kwargs dim',
        ('PixelShuffleUpsample',),
    ),
}
#: the ``mamba`` slot of a Mamba mixer (the SSM itself), not of ``HybridBlock``
SSM_KIND = SlotKind(
    'forward(x): (N, L, C) -> (N, L, C); kwargs d_model', ('MambaBlock',)
)


def slot_kind(key: str, parent: type | None = None) -> SlotKind | None:
    """The contract of slot ``key`` of ``parent`` (None: not a checked slot)."""
    if key == 'mamba' and parent is not None:
        mixer = MODELS.get('MambaMixer')
        if mixer is not None and issubclass(parent, mixer):
            return SSM_KIND
    return SLOT_KINDS.get(key)


def _positional_range(cls: type) -> tuple[int, float]:
    """(required, maximum) positional arguments of ``cls.forward`` after ``self``."""
    forward = getattr(cls, 'forward', None)
    if forward is None:
        return 0, float('inf')
    try:
        params = list(inspect.signature(forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return 0, float('inf')
    positional = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    takes_spatial = bool(getattr(cls, 'takes_spatial', False))
    required = sum(
        p.kind in positional
        and p.default is inspect.Parameter.empty
        and not (takes_spatial and p.name == 'spatial')
        for p in params
    )
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return required, float('inf')
    return required, sum(p.kind in positional for p in params)


def _own_class(cls: type) -> bool:
    return cls.__module__ == 'inpaintzoo' or cls.__module__.startswith('inpaintzoo.')


def check_slot_kind(
    cls: type, kind: SlotKind, where: str, name: str | None = None
) -> None:
    """Refuse ``cls`` in a slot whose contract it does not fit.

    Args:
        cls (type): the class the slot's ``type`` names.
        kind (SlotKind): the slot's contract (:func:`slot_kind`).
        where (str): the slot for the message, e.g. ``"InpaintUNet slot 'down'"``.
        name (str, optional): the ``type`` as the config spells it (default:
            the class name).

    Raises:
        ConfigError: naming the class, the slot, its contract and its choices.
    """
    allowed = [MODELS.get(name) for name in kind.choices]
    if any(a is not None and issubclass(cls, a) for a in allowed):
        return
    if not _own_class(cls):
        if kind.inputs is None:
            return
        required, most = _positional_range(cls)
        if required <= kind.inputs <= most:
            return
    raise ConfigError(
        f'{name or cls.__name__} does not fit {where} (needs {kind.contract}); '
        f'choices: {", ".join(kind.choices)}, a subclass of one of them, or a class of '
        'your own with that forward (see the slot table in docs/config_system.md '
        'and docs/customize.md)'
    )
