"""MxT layers: SRSA, CBFN, MambaMixer (any scanner), HybridBlock."""

import copy

import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.layers import (
    CBFN,
    GDFN,
    SRSA,
    HybridBlock,
    MambaLayer,
    MambaMixer,
)
from inpaintzoo.models.ssm.positional import sinusoidal_table
from inpaintzoo.registry import MODELS
from tests.test_models.test_layers.perturb import perturb

D64 = torch.float64


def _perturb(module: torch.nn.Module) -> torch.nn.Module:
    return perturb(module, seed=1)


def _srsa_reference(m: SRSA, x: torch.Tensor) -> torch.Tensor:
    """Loop over heads; pooling by explicit block means (H, W multiples of 8)."""
    n, c, h, w = x.shape
    q, k, v = m.qkv_dwconv(m.qkv(x)).chunk(3, dim=1)
    heads, ch = m.num_heads, c // m.num_heads
    pk = k.reshape(n, c, 8, h // 8, 8, w // 8).mean(dim=(3, 5)).reshape(n, c, 64)
    pv = v.reshape(n, c, 8, h // 8, 8, w // 8).mean(dim=(3, 5)).reshape(n, c, 64)
    out = torch.empty(n, c, h * w, dtype=x.dtype)
    for b in range(n):
        for i in range(heads):
            sl = slice(i * ch, (i + 1) * ch)
            kk = pk[b, sl] / pk[b, sl].norm(dim=1, keepdim=True).clamp_min(1e-12)
            vv = pv[b, sl] / pv[b, sl].norm(dim=1, keepdim=True).clamp_min(1e-12)
            logits = q[b, sl].reshape(ch, h * w).t() @ kk * m.temperature[i, 0, 0]
            out[b, sl] = vv @ logits.softmax(-1).t()
    return m.project_out(out.view(n, c, h, w) + m.lce(v))


def test_srsa_matches_explicit_reference() -> None:
    torch.manual_seed(0)
    m = _perturb(SRSA(8, num_heads=2).to(D64))
    x = torch.randn(2, 8, 16, 24, dtype=D64)
    torch.testing.assert_close(m(x), _srsa_reference(m, x), rtol=0, atol=1e-12)
    assert m.temperature.shape == (2, 1, 1)
    assert sum(p.numel() for p in SRSA(48).parameters()) == 10_945  # §3.7


def test_srsa_any_size_and_linear_attention_map() -> None:
    m = SRSA(4, num_heads=2)
    for hw in [(5, 7), (8, 8), (33, 17)]:
        assert m(torch.randn(1, 4, *hw)).shape == (1, 4, *hw)
    with pytest.raises(ValueError, match='divisible'):
        SRSA(6, num_heads=4)


def test_cbfn_adds_global_mean_of_gdfn() -> None:
    torch.manual_seed(0)
    cbfn = _perturb(CBFN(6).to(D64))
    gdfn = GDFN(6, expansion=2.0).to(D64)
    gdfn.load_state_dict(cbfn.state_dict())
    x = torch.randn(2, 6, 5, 7, dtype=D64)
    y, g = cbfn(x), gdfn(x)
    diff = y - g
    for b in range(2):
        assert torch.allclose(diff[b], g[b].mean().expand_as(diff[b]), atol=1e-14)
    assert cbfn.hidden == 12
    assert sum(p.numel() for p in CBFN(48).parameters()) == 15_552


def _manual_mamba_layer(layer: MambaMixer, x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    tokens = x.flatten(2).transpose(1, 2) + sinusoidal_table(h * w, c, dtype=x.dtype)
    norm = layer.norms[0]
    out = layer.mambas[0](F.layer_norm(tokens, (c,), norm.weight, norm.bias))
    return out.transpose(1, 2).reshape(n, c, h, w)


def test_mamba_layer_raster_is_tokens_plus_pe_ln_mamba() -> None:
    torch.manual_seed(0)
    layer = _perturb(MambaMixer(8).to(D64))
    x = torch.randn(2, 8, 3, 5, dtype=D64)
    torch.testing.assert_close(
        layer(x), _manual_mamba_layer(layer, x), rtol=0, atol=1e-12
    )
    assert sum(p.numel() for p in MambaMixer(48).parameters()) == 19_776  # §3.7


def test_snake_scanner_equals_raster_on_flipped_rows() -> None:
    torch.manual_seed(0)
    raster = _perturb(MambaMixer(4).to(D64))
    snake = MambaMixer(4, scanner=dict(type='SnakeScan')).to(D64)
    snake.load_state_dict(raster.state_dict())
    x = torch.randn(1, 4, 4, 6, dtype=D64)

    def flip_odd_rows(t: torch.Tensor) -> torch.Tensor:
        t = t.clone()
        t[:, :, 1::2] = t[:, :, 1::2].flip(-1)
        return t

    expected = flip_odd_rows(raster(flip_odd_rows(x)))
    torch.testing.assert_close(snake(x), expected, rtol=0, atol=1e-12)
    assert not torch.allclose(snake(x), raster(x))


def test_multi_sequence_scanner_has_one_mamba_per_sequence() -> None:
    torch.manual_seed(0)
    bi = _perturb(MambaMixer(4, scanner=dict(type='BiSnakeScan')).to(D64))
    keys = {'.'.join(k.split('.')[:2]) for k in bi.state_dict()}
    assert keys == {'norms.0', 'mambas.0', 'norms.1', 'mambas.1'}
    x = torch.randn(1, 4, 3, 4, dtype=D64)
    # sequence 1 = column snake = row snake of the transposed map
    row = MambaMixer(4, scanner=dict(type='SnakeScan')).to(D64)
    col = MambaMixer(4, scanner=dict(type='SnakeScan')).to(D64)
    for k, single in enumerate((row, col)):
        single.norms[0].load_state_dict(bi.norms[k].state_dict())
        single.mambas[0].load_state_dict(bi.mambas[k].state_dict())
    expected = row(x) + col(x.transpose(2, 3)).transpose(2, 3)
    torch.testing.assert_close(bi(x), expected, rtol=0, atol=1e-12)
    shared = MambaMixer(4, scanner=dict(type='CrossScan'), share=True)
    assert {k.split('.')[1] for k in shared.state_dict()} == {'0'}
    assert shared(torch.randn(2, 4, 3, 5)).shape == (2, 4, 3, 5)


def test_mamba_layer_low_precision_runs_in_float32() -> None:
    torch.manual_seed(0)
    layer = MambaMixer(4)
    x = torch.randn(1, 4, 4, 4).to(torch.bfloat16)
    out = layer(x)
    assert out.dtype == torch.bfloat16
    ref = layer(x.float()).to(torch.bfloat16)
    assert torch.equal(out, ref)
    no_pe = MambaMixer(4, pos_embed=False)
    assert no_pe.pos_embed is None
    assert no_pe(x.float()).shape == (1, 4, 4, 4)


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_low_precision_model_weights_are_upcast(dtype: torch.dtype) -> None:
    # .half() / .bfloat16() models: the LayerNorm and Mamba weights are in dtype
    # too; the mixer computes in float32 with them and rounds once at the end
    torch.manual_seed(0)
    layer = _perturb(MambaMixer(4)).to(dtype)
    x = torch.randn(2, 4, 3, 5).to(dtype)
    out = layer(x)
    assert out.dtype == dtype
    assert torch.equal(out, copy.deepcopy(layer).float()(x.float()).to(dtype))
    with torch.autocast('cpu', dtype=torch.bfloat16):  # AMP: still float32 inside
        amp = layer.float()(x.float())
    assert amp.dtype == torch.float32
    assert torch.equal(amp, layer(x.float()))


def test_mamba_layer_is_an_alias_of_the_mixer() -> None:
    alias, mixer = MambaLayer(4), MambaMixer(4)
    assert isinstance(alias, MambaMixer)
    assert list(alias.state_dict()) == list(mixer.state_dict())
    assert type(alias.scanner) is type(mixer.scanner)
    assert type(HybridBlock(4, num_heads=1).mamba) is MambaMixer


def test_hybrid_block_composition_and_counts() -> None:
    torch.manual_seed(0)
    blk = _perturb(HybridBlock(4, num_heads=2).to(D64))
    x = torch.randn(2, 4, 8, 8, dtype=D64)
    y = x + blk.fuse(
        torch.cat([blk.mamba(blk.norm1(x)), blk.attn(blk.norm3(x))], dim=1)
    )
    y = y + blk.ffn(blk.norm2(y))
    torch.testing.assert_close(blk(x), y, rtol=0, atol=1e-13)
    full = HybridBlock(48, num_heads=1)
    counts = {
        n: sum(p.numel() for p in m.parameters()) for n, m in full.named_children()
    }
    assert counts == dict(
        norm1=96, mamba=19_776, norm3=96, attn=10_945, fuse=4_608, norm2=96, ffn=15_552
    )
    assert full.size_divisor == 1


def test_ablation_swaps_are_registered_types() -> None:
    gdfn = MODELS.build(
        dict(
            type='HybridBlock', dim=4, num_heads=1, ffn=dict(type='GDFN', expansion=2.0)
        )
    )
    assert type(gdfn.ffn) is GDFN
    for attn in ('SRSA', 'MambaMixer', 'MambaLayer'):
        blk = MODELS.build(
            dict(
                type='AttnFFNBlock',
                dim=4,
                num_heads=1,
                attn=dict(type=attn),
                ffn=dict(type='CBFN'),
            )
        )
        assert blk(torch.randn(1, 4, 5, 6)).shape == (1, 4, 5, 6)


@pytest.mark.parametrize(
    ('slot', 'cfg', 'unexpected'),
    [
        # a child swapped the Mamba branch for SRSA but kept the mixer's keys
        ('mamba', dict(type='SRSA', d_state=16), 'd_state'),
        ('ffn', dict(type='CBFN', expansion=2.0, kernel_size=3), 'kernel_size'),
    ],
)
def test_hybrid_block_alone_checks_its_slot_keywords(slot, cfg, unexpected) -> None:
    from inpaintzoo.utils.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        HybridBlock(4, num_heads=1, **{slot: cfg})
    message = str(info.value)
    assert f"HybridBlock slot '{slot}'" in message
    assert repr(unexpected) in message
    assert '_delete_=True' in message
