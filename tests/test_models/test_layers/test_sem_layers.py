"""SEM-Net layers: SEFN, Snake Mamba Block (SBDM), SEM block."""

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.registry import MODELS


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _perturb(module, seed=0):
    # non-trivial norms/biases so swapped weights or missing branches show up
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return module


def _ref_pe(length, dim):
    # official table: float32 positions, frequencies and product
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    omega = torch.exp(
        torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim)
    )
    pe = torch.zeros(length, dim)
    pe[:, 0::2] = torch.sin(pos * omega)
    pe[:, 1::2] = torch.cos(pos * omega)
    return pe.double()


def _cln(x, norm):
    return F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), norm.weight, norm.bias)


def _ref_sefn(ffn, x, sp):
    a, b = F.conv2d(
        F.conv2d(x, ffn.project_in.weight),
        ffn.dwconv.weight,
        padding=1,
        groups=ffn.dwconv.weight.shape[0],
    ).chunk(2, 1)
    s = ffn.spatial
    g = F.avg_pool2d(sp, 2)
    g = F.relu(_cln(F.conv2d(g, s.conv1.weight, s.conv1.bias, padding=1), s.norm1))
    g = g.permute(0, 3, 1, 2)
    g = F.relu(_cln(F.conv2d(g, s.conv2.weight, s.conv2.bias, padding=1), s.norm2))
    g = g.permute(0, 3, 1, 2).repeat_interleave(2, -2).repeat_interleave(2, -1)
    f = F.conv2d(torch.cat([a, g], 1), ffn.fusion.weight)
    f = F.conv2d(f, ffn.dwconv_afterfusion.weight, padding=1, groups=f.shape[1])
    return F.conv2d(F.gelu(f) * b, ffn.project_out.weight)


def test_sefn_matches_formula_and_uses_spatial_input():
    torch.manual_seed(0)
    ffn = _perturb(MODELS.build(dict(type='SEFN', dim=6))).double()
    assert ffn.hidden == 12
    assert ffn.takes_spatial
    assert ffn.size_divisor == 2
    x, sp = torch.randn(2, 2, 6, 4, 6, dtype=torch.float64)
    out = ffn(x, spatial=sp)
    torch.testing.assert_close(out, _ref_sefn(ffn, x, sp), rtol=0, atol=1e-12)
    assert (out - ffn(x, spatial=sp + 1)).abs().max() > 1e-3
    torch.testing.assert_close(ffn(x), ffn(x, spatial=x), rtol=0, atol=0)


def test_sefn_parameter_count_level1():
    # reference-models §4.5: ffn of a level-1 block (C=48) has 72,000 parameters
    assert _count(MODELS.build(dict(type='SEFN', dim=48))) == 72_000


def _snake(x):
    # (B, C, H, W) -> (B, H*W, C) along the row snake (odd rows reversed)
    x = x.clone()
    x[..., 1::2, :] = x[..., 1::2, :].flip(-1)
    return x.flatten(2).transpose(1, 2)


def _unsnake(seq, h, w):
    x = seq.transpose(1, 2).reshape(seq.shape[0], -1, h, w).clone()
    x[..., 1::2, :] = x[..., 1::2, :].flip(-1)
    return x


def test_bi_snake_order_example():
    x = torch.arange(12.0).view(1, 1, 3, 4)
    assert _snake(x).flatten().tolist() == [0, 1, 2, 3, 7, 6, 5, 4, 8, 9, 10, 11]
    col = _snake(x.transpose(-1, -2)).flatten().tolist()
    assert col == [0, 4, 8, 9, 5, 1, 2, 6, 10, 11, 7, 3]
    scan = MODELS.build(dict(type='BiSnakeScan'))
    seqs = scan.flatten(x)[0, :, :, 0]
    assert seqs.tolist() == [_snake(x).flatten().tolist(), col]


#: SEM-Net's Snake Mamba Block = the shared Mamba mixer with the bi-directional snake
SMB = dict(type='MambaMixer', scanner=dict(type='BiSnakeScan'))


def test_snake_mamba_matches_explicit_sbdm():
    torch.manual_seed(0)
    smb = _perturb(MODELS.build(dict(SMB, dim=8))).double()
    assert [len(smb.norms), len(smb.mambas)] == [2, 2]
    x = torch.randn(2, 8, 5, 3, dtype=torch.float64)
    h, w = x.shape[-2:]
    pe = _ref_pe(h * w, 8)
    row = smb.mambas[0](smb.norms[0](_snake(x) + pe))
    col = smb.mambas[1](smb.norms[1](_snake(x.transpose(-1, -2)) + pe))
    ref = _unsnake(row, h, w) + _unsnake(col, w, h).transpose(-1, -2)
    torch.testing.assert_close(smb(x), ref, rtol=0, atol=1e-12)


def test_snake_mamba_ablation_switches():
    torch.manual_seed(0)
    x = torch.randn(1, 8, 4, 4)
    base = MODELS.build(dict(SMB, dim=8)).eval()
    nope = MODELS.build(dict(SMB, dim=8, pos_embed=False))
    nope.load_state_dict(base.state_dict())
    assert nope.pos_embed is None
    assert (base(x) - nope(x)).abs().max() > 1e-4
    for scanner, k in [('RasterScan', 1), ('SnakeScan', 1), ('CrossScan', 4)]:
        smb = MODELS.build(dict(SMB, dim=8, scanner=dict(type=scanner)))
        assert len(smb.mambas) == len(smb.norms) == k
        assert smb(x).shape == x.shape
    raster = MODELS.build(dict(SMB, dim=8, scanner=dict(type='RasterScan'))).double()
    xd = x.double()
    seq = xd.flatten(2).transpose(1, 2) + _ref_pe(16, 8)
    ref = raster.mambas[0](raster.norms[0](seq)).transpose(1, 2).reshape(xd.shape)
    torch.testing.assert_close(raster(xd), ref, rtol=0, atol=1e-12)


def test_snake_mamba_parameter_count_level1():
    # §4.5: attn of a level-1 block = two LayerNorms + two Mambas = 39,552
    assert _count(MODELS.build(dict(SMB, dim=48))) == 39_552


def test_snake_mamba_block_is_an_alias_of_the_mixer():
    alias = MODELS.build(dict(type='SnakeMambaBlock', dim=8))
    mixer = MODELS.build(dict(SMB, dim=8))
    assert isinstance(alias, type(mixer))
    assert type(alias.scanner) is type(mixer.scanner)
    assert list(alias.state_dict()) == list(mixer.state_dict())
    assert (
        MODELS.build(
            dict(type='SEMBlock', dim=8, num_heads=1)
        ).attn.scanner.num_sequences
        == 2
    )


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_snake_mamba_low_precision_model_computes_in_float32(dtype):
    # the mixer of a .half() / .bfloat16() model (weights in dtype too) upcasts the
    # features and its weights to float32: same result as the float32 mixer holding
    # the same (rounded) weights, rounded once at the end
    torch.manual_seed(0)
    smb = _perturb(MODELS.build(dict(SMB, dim=8))).to(dtype)
    x = torch.randn(1, 8, 4, 5).to(dtype)
    out = smb(x)
    assert out.dtype == dtype
    ref = copy.deepcopy(smb).float()(x.float()).to(dtype)
    assert torch.equal(out, ref)


def test_sem_block_wiring_and_count():
    torch.manual_seed(0)
    blk = _perturb(MODELS.build(dict(type='SEMBlock', dim=8, num_heads=1))).double()
    assert blk.size_divisor == 2
    assert blk.ffn_takes_spatial
    x = torch.randn(1, 8, 4, 6, dtype=torch.float64)
    y = x + blk.attn(blk.norm1(x))
    ref = y + blk.ffn(blk.norm2(y), spatial=x)
    torch.testing.assert_close(blk(x), ref, rtol=0, atol=1e-12)
    wrong = y + blk.ffn(blk.norm2(y), spatial=y)
    assert (blk(x) - wrong).abs().max() > 1e-6
    full = MODELS.build(dict(type='SEMBlock', dim=48, num_heads=1))
    assert _count(full) == 111_744  # §4.5 one level-1 block


@pytest.mark.parametrize(
    ('attn', 'ffn'),
    [
        (None, dict(type='GDFN', expansion=2.0)),
        (dict(type='ChannelAttention'), None),
        (dict(type='SRSA', pool_size=2), None),
    ],
)
def test_sem_block_ablation_slots(attn, ffn):
    torch.manual_seed(0)
    blk = MODELS.build(dict(type='SEMBlock', dim=8, num_heads=2, attn=attn, ffn=ffn))
    x = torch.randn(1, 8, 4, 4)
    out = blk(x)
    assert out.shape == x.shape
    assert torch.isfinite(out).all()
    assert blk.ffn_takes_spatial is (ffn is None)
    if ffn is not None:
        y = x + blk.attn(blk.norm1(x))
        torch.testing.assert_close(out, y + blk.ffn(blk.norm2(y)), rtol=0, atol=0)
