"""Slot configs: clear errors for foreign keywords; the doc's slot table is complete."""

import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from inpaintzoo.models.layers.slot_config import accepted_kwargs, check_slot_config
from inpaintzoo.registry import MODELS
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
    check_slot_config(dict(type='RasterScan', anything=1), 'scanner')
    check_slot_config(dict(type='NoSuchBlock', x=1), 'block')
    assert accepted_kwargs(type('Free', (), {'__init__': lambda s, **kw: None})) is None


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
