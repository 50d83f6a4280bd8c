"""Slot configs: clear errors for foreign keywords; the doc's slot table is complete."""

import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config, ConfigDict
from torch import nn

from inpaintzoo.models.layers.sampling import MaskAwareDownsample
from inpaintzoo.models.layers.slot_config import accepted_kwargs, check_slot_config
from inpaintzoo.models.layers.slot_table import SLOT_KINDS, SSM_KIND
from inpaintzoo.registry import MODELS, without_delete_keys
from inpaintzoo.utils.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]
DOC = REPO / 'docs' / 'config_system.md'
TINY = dict(dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])


def _hint_with(child: str, tmp_path: Path) -> dict:
    """The HINT paper generator merged with a child config's ``model`` override."""
    path = tmp_path / 'child.py'
    base = REPO / 'configs/hint/hint_1xb4-300k_celeba-hq-256x256.py'
    path.write_text(f"_base_ = '{base.as_posix()}'\n{child}\n")
    return dict(Config.fromfile(str(path)).model.generator.to_dict(), **TINY)


def test_type_swap_without_delete_names_slot_keys_and_fix(tmp_path):
    gen = _hint_with(
        "model = dict(generator=dict(block=dict(attn=dict(type='SnakeMambaBlock'))))",
        tmp_path,
    )
    assert gen['block']['attn'] == dict(type='SnakeMambaBlock', bias=False)
    with pytest.raises(ConfigError) as info:
        MODELS.build(gen)
    msg = str(info.value)
    assert "SnakeMambaBlock in InpaintUNet slot 'block.attn'" in msg
    assert "does not take: ['bias']" in msg
    assert "'scanner'" in msg  # the accepted keywords are listed
    assert "attn=dict(_delete_=True, type='SnakeMambaBlock'" in msg


def test_type_swap_with_delete_builds(tmp_path):
    gen = _hint_with(
        'model = dict(generator=dict(block=dict('
        "attn=dict(_delete_=True, type='SnakeMambaBlock'))))",
        tmp_path,
    )
    net = MODELS.build(gen)
    assert type(net.encoder1[0].attn).__name__ == 'SnakeMambaBlock'


def test_block_in_wrong_slot_names_what_the_slot_passes():
    with pytest.raises(
        ConfigError, match=r"GDFN does not fit InpaintUNet slot 'block'"
    ):
        MODELS.build(dict(type='InpaintUNet', block=dict(type='GDFN'), **TINY))


def test_deep_and_direct_slots_are_checked():
    block = dict(
        type='HybridBlock',
        mamba=dict(type='MambaLayer', mamba=dict(type='MambaBlock', d_sate=16)),
    )
    with pytest.raises(ConfigError, match=r"slot 'block\.mamba\.mamba'.*\['d_sate'\]"):
        MODELS.build(dict(type='InpaintUNet', block=block, **TINY))
    with pytest.raises(ConfigError, match=r"SandwichBlock slot 'ffn'.*\['heads'\]"):
        MODELS.build(
            dict(
                type='SandwichBlock', dim=8, num_heads=1, ffn=dict(type='GDFN', heads=2)
            )
        )


def test_kwargs_classes_and_unknown_types_are_left_to_build():
    check_slot_config(dict(type='NoSuchBlock', x=1), 'block')
    assert accepted_kwargs(type('Free', (), {'__init__': lambda s, **kw: None})) is None


def test_scanner_keys_are_checked():
    """Scanners take no keywords: a misspelt key is one line naming the slot."""
    block = dict(type='SEMBlock', attn=dict(type='MambaMixer'))
    block['attn']['scanner'] = dict(type='RasterScan', directon=2)
    with pytest.raises(
        ConfigError, match=r"RasterScan in InpaintUNet slot 'block\.attn\.scanner'"
    ) as info:
        MODELS.build(dict(type='InpaintUNet', block=block, **TINY))
    assert "['directon']" in str(info.value)
    assert 'takes no keywords' in str(info.value)


@pytest.mark.parametrize(
    'spatial', ['SpatialGate', 'ConvGELUGate', 'SpatialSelfAttention']
)
def test_delete_on_a_key_the_base_lacks_is_dropped(tmp_path, spatial):
    """MMEngine keeps ``_delete_`` on a new key; MODELS.build drops it."""
    gen = _hint_with(
        'model = dict(generator=dict(block=dict(attn=dict('
        f"spatial=dict(_delete_=True, type='{spatial}')))))",
        tmp_path,
    )
    assert gen['block']['attn']['spatial']['_delete_'] is True  # kept by MMEngine
    net = MODELS.build(gen)
    assert type(net.encoder1[0].attn.spatial).__name__ == spatial


def test_without_delete_keys_copies_only_what_it_changes():
    clean = dict(type='A', sub=dict(type='B'), items=[dict(type='C')])
    assert without_delete_keys(clean) is clean
    cfg = dict(type='A', sub=dict(_delete_=True, type='B'), items=[clean])
    out = without_delete_keys(cfg)
    assert out == dict(type='A', sub=dict(type='B'), items=[clean])
    assert out['items'] is cfg['items']  # unchanged parts are shared
    assert cfg['sub']['_delete_'] is True  # the input is not changed
    nested = without_delete_keys(ConfigDict(a=dict(_delete_=True, b=1)))
    assert isinstance(nested, ConfigDict)
    assert nested.a == dict(b=1)


@pytest.mark.parametrize(
    ('slot', 'name'),
    [
        ('down', 'PixelShuffleUpsample'),
        ('down', 'GDFN'),
        ('up', 'MaskAwareDownsample'),
        ('embed', 'SandwichBlock'),
        ('block', 'SCAL'),
    ],
)
def test_class_that_does_not_fit_the_slot_is_refused_at_build(slot, name):
    with pytest.raises(ConfigError) as info:
        MODELS.build(dict(type='InpaintUNet', **{slot: dict(type=name)}, **TINY))
    msg = str(info.value)
    assert msg.startswith(f"{name} does not fit InpaintUNet slot '{slot}' (needs ")
    for choice in SLOT_KINDS[slot].choices:
        assert choice in msg
    assert '\n' not in msg


def test_nested_slots_check_their_kind():
    block = dict(type='AttnFFNBlock', ffn=dict(type='SRSA'))
    with pytest.raises(
        ConfigError, match=r"SRSA does not fit InpaintUNet slot 'block\.ffn'"
    ):
        MODELS.build(dict(type='InpaintUNet', block=block, **TINY))
    mixer = dict(type='MambaMixer', mamba=dict(type='MambaMixer'))
    with pytest.raises(ConfigError, match=r"slot 'block\.attn\.mamba'.*MambaBlock"):
        MODELS.build(
            dict(type='InpaintUNet', block=dict(type='SEMBlock', attn=mixer), **TINY)
        )


class _MyDown(nn.Module):
    """A user's down-sampler: (N, C, H, W), (N, 1, H, W) -> (N, 2C, H/2, W/2)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(dim, 2 * dim, 2, stride=2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class _MyBlock(nn.Module):
    """A user's block: (N, C, H, W) -> (N, C, H, W)."""

    def __init__(self, dim: int, num_heads: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x)


class _SubDown(MaskAwareDownsample):
    """A subclass of a listed choice fits its slot."""


@pytest.fixture
def user_classes():
    names = ('SlotTestDown', 'SlotTestBlock', 'SlotTestSubDown')
    for name, cls in zip(names, (_MyDown, _MyBlock, _SubDown), strict=True):
        MODELS.register_module(name=name, module=cls, force=True)
    yield names
    for name in names:
        MODELS._module_dict.pop(name, None)


def test_user_classes_fit_slots_whose_forward_they_take(user_classes):
    down, block, sub = user_classes
    net = MODELS.build(
        dict(type='InpaintUNet', down=dict(type=down), block=dict(type=block), **TINY)
    )
    img, mask = torch.rand(1, 3, 16, 16), torch.zeros(1, 1, 16, 16)
    assert net(img, mask).shape == img.shape
    MODELS.build(dict(type='InpaintUNet', down=dict(type=sub), **TINY))
    with pytest.raises(
        ConfigError, match=rf"{block} does not fit InpaintUNet slot 'down'"
    ):
        MODELS.build(dict(type='InpaintUNet', down=dict(type=block), **TINY))
    with pytest.raises(
        ConfigError, match=rf"{down} does not fit InpaintUNet slot 'up'"
    ):
        MODELS.build(dict(type='InpaintUNet', up=dict(type=down), **TINY))


def test_code_slot_table_matches_the_doc():
    rows = _doc_table()
    doc_slot = {
        'embed': 'generator.embed',
        'block': 'generator.block',
        'attn': 'generator.block.attn',
        'ffn': 'generator.block.ffn',
        'norm': 'generator.block.norm',
        'spatial': 'generator.block.attn.spatial',
        'conv': 'generator.block.conv',
        'scanner': 'generator.block.attn.scanner',
        'pos_embed': 'generator.block.attn.pos_embed',
        'down': 'generator.down',
        'up': 'generator.up',
    }
    for key, row in doc_slot.items():
        assert sorted(SLOT_KINDS[key].choices) == sorted(rows[row]), key
    assert list(SSM_KIND.choices) == rows['generator.block.attn.mamba']
    # HybridBlock's Mamba branch takes a mixer or, for ablations, any attention
    assert set(rows['generator.block.mamba']) <= set(SLOT_KINDS['mamba'].choices)
    assert SLOT_KINDS['mamba'] == SLOT_KINDS['attn']


def _doc_table() -> dict[str, list[str]]:
    """``{slot: [registered names]}`` from the slot table of the config doc."""
    text = DOC.read_text()
    table = text[text.index('| slot | contract | registered choices |') :]
    table = table[: table.index('\n\n')]
    rows = {}
    for line in table.splitlines()[2:]:
        slot, _, choices = (c.strip() for c in line.strip('|').split(' | '))
        key = re.match(r'`([^`]+)`|(.+)', slot)
        choices = re.sub(r'\([^)]*\)', '', choices)  # drop notes in parentheses
        rows[key.group(1) or key.group(2)] = re.findall(r'`([A-Z]\w*)`', choices)
    return rows


def test_every_registered_class_is_in_the_slot_table():
    MODELS.import_from_location()
    ours = {
        name
        for name, cls in MODELS.module_dict.items()
        if cls.__module__.startswith('inpaintzoo.')
    }
    listed = {name for names in _doc_table().values() for name in names}
    assert ours - listed == set(), 'add them to the slot table of docs/config_system.md'
    assert listed - set(MODELS.module_dict) == set(), 'stale names in the slot table'


def _generator_cases() -> list[tuple[str, str]]:
    rows = _doc_table()
    slots = ('generator.embed', 'generator.block', 'generator.block.attn')
    slots += ('generator.block.ffn', 'generator.down', 'generator.up')
    return [(slot, name) for slot in slots for name in rows[slot]]


@pytest.mark.parametrize(('slot', 'name'), _generator_cases())
def test_slot_table_choices_build_and_run(slot, name):
    torch.manual_seed(0)
    # AttnFFNBlock hosts attention and FFN choices (it passes SEFN its `spatial`)
    block = dict(type='AttnFFNBlock')
    cfg = dict(type='InpaintUNet', block=block, **TINY)
    key = slot.split('.', 1)[1]
    if key == 'block':
        cfg['block'] = dict(type=name)
    elif key.startswith('block.'):
        block[key.split('.')[1]] = dict(type=name)
    else:
        cfg[key] = dict(type=name)
    net = MODELS.build(cfg)
    img, mask = torch.rand(1, 3, 16, 16), torch.zeros(1, 1, 16, 16)
    mask[..., 4:10, 2:12] = 1
    with torch.no_grad():
        out = net(img, mask)
    assert out.shape == img.shape
    assert torch.isfinite(out).all()
    built = {
        'embed': net.embed,
        'block': net.encoder2[0],
        'block.attn': getattr(net.encoder2[0], 'attn', None),
        'block.ffn': getattr(net.encoder2[0], 'ffn', None),
        'down': net.down2,
        'up': net.up2,
    }[key]
    assert type(built).__name__ == name
