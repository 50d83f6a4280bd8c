"""Blocks and options added for the thesis's chapter-4 (HINT) ablations.

ConvGELUGate (Table 4.4 E), SCAL's spatial slot (4.4 E, 4.10), ConformerBlock and
ConformerConvModule (4.5), the embedding kernel size (4.7) and the U-Net's 1x1
conv after the last skip (4.6). SpatialSelfAttention itself is tested in
test_ablation_layers.py.
"""

import pytest
import torch
import torch.nn.functional as F

from inpaintzoo.models.layers import (
    SCAL,
    ConformerBlock,
    ConformerConvModule,
    SpatialGate,
    SpatialSelfAttention,
)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

D64 = torch.float64


def _grads_reach_every_parameter(module: torch.nn.Module, x: torch.Tensor) -> None:
    module.zero_grad()
    module(x).square().mean().backward()
    for name, p in module.named_parameters():
        assert p.grad is not None, name
        assert p.grad.abs().sum() > 0, name


def test_gelu_gate_is_gelu_of_a_pointwise_conv():
    torch.manual_seed(0)
    gate = MODELS.build(dict(type='ConvGELUGate', dim=6)).to(D64)
    x = torch.randn(2, 6, 5, 7, dtype=D64)
    out = gate(x)
    assert out.shape == x.shape
    ref = F.gelu(
        torch.einsum('oc,nchw->nohw', gate.conv.weight[..., 0, 0], x)
        + gate.conv.bias.view(1, -1, 1, 1)
    )
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-12)
    assert out.min() >= -0.17  # GELU's minimum is about -0.1700
    _grads_reach_every_parameter(gate, x)


def test_scal_default_spatial_branch_is_hint_gate():
    attn = MODELS.build(dict(type='SCAL', dim=8, num_heads=2))
    assert type(attn.spatial) is SpatialGate
    assert attn.size_divisor == 2


@pytest.mark.parametrize('spatial', ['ConvGELUGate', 'SpatialSelfAttention'])
def test_scal_spatial_slot_multiplies_the_swapped_branch(spatial):
    torch.manual_seed(0)
    attn = MODELS.build(
        dict(type='SCAL', dim=8, num_heads=2, spatial=dict(type=spatial))
    ).to(D64)
    assert type(attn.spatial).__name__ == spatial
    assert attn.size_divisor == 1  # no pooling: odd sizes work
    x = torch.randn(2, 8, 5, 7, dtype=D64)
    ref = attn.project_out(attn.channel_attention(x) * attn.spatial(x))
    torch.testing.assert_close(attn(x), ref, rtol=0, atol=1e-12)
    _grads_reach_every_parameter(attn, x)


def test_scal_refuses_spatial_norm_with_a_swapped_branch():
    with pytest.raises(ConfigError, match='spatial_norm'):
        SCAL(
            8,
            2,
            spatial_norm=dict(type='ChannelLayerNorm'),
            spatial=dict(type='ConvGELUGate'),
        )


def test_ssa_in_scal_is_global():
    """Table 4.10: with SSA as the spatial branch one pixel reaches every pixel."""
    torch.manual_seed(0)
    attn = SCAL(4, 1, spatial=dict(type='SpatialSelfAttention')).to(D64)
    assert isinstance(attn.spatial, SpatialSelfAttention)
    x = torch.randn(1, 4, 8, 8, dtype=D64, requires_grad=True)
    attn.spatial(x)[0, :, 0, 0].sum().backward()
    assert (x.grad[0].abs().sum(0) > 0).all()


def test_conformer_conv_module_matches_its_definition_and_is_local():
    torch.manual_seed(0)
    conv = ConformerConvModule(4, kernel_size=3).to(D64).eval()
    with torch.no_grad():
        conv.bn.running_mean.uniform_(-0.5, 0.5)
        conv.bn.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, 4, 9, 9, dtype=D64)
    a, b = conv.pointwise_in(x).chunk(2, dim=1)
    ref = conv.pointwise_out(F.silu(conv.bn(conv.depthwise(a * torch.sigmoid(b)))))
    torch.testing.assert_close(conv(x), ref, rtol=0, atol=1e-12)
    # a 3x3 depth-wise kernel: pixel (4, 4) does not see pixel (4, 6)
    y = x.clone()
    y[..., 4, 6] += 1.0
    torch.testing.assert_close(conv(y)[..., 4, 4], conv(x)[..., 4, 4], rtol=0, atol=0)
    assert not torch.equal(conv(y)[..., 4, 5], conv(x)[..., 4, 5])
    with pytest.raises(ConfigError, match='odd'):
        ConformerConvModule(4, kernel_size=4)


@pytest.mark.parametrize('final_norm', [True, False])
def test_conformer_block_is_ffn_attn_conv_ffn(final_norm):
    torch.manual_seed(0)
    block = ConformerBlock(8, 2, final_norm=final_norm).to(D64).eval()
    assert block.size_divisor == 2  # SCAL pools by 2
    x = torch.randn(2, 8, 6, 4, dtype=D64)
    h = x + 0.5 * block.ffn1(block.norm1(x))
    h = h + block.attn(block.norm2(h))
    h = h + block.conv(block.norm3(h))
    h = h + 0.5 * block.ffn2(block.norm4(h))
    ref = block.norm_out(h) if final_norm else h
    assert (block.norm_out is None) is (not final_norm)
    torch.testing.assert_close(block(x), ref, rtol=0, atol=1e-12)
    block.train()
    _grads_reach_every_parameter(block, x)


def test_conformer_block_checks_its_conv_slot():
    with pytest.raises(ConfigError, match="slot 'conv'"):
        ConformerBlock(8, 2, conv=dict(type='ConformerConvModule', kernel=3))


@pytest.mark.parametrize('name', ['ConvEmbedding', 'GatedEmbedding'])
def test_embedding_kernel_size_sets_the_receptive_field(name):
    torch.manual_seed(0)
    emb = MODELS.build(dict(type=name, in_channels=4, dim=6, kernel_size=7)).to(D64)
    assert emb.proj.weight.shape[-2:] == (7, 7)
    x = torch.randn(1, 4, 16, 16, dtype=D64)
    out = emb(x)
    assert out.shape == (1, 6, 16, 16)
    near, far = x.clone(), x.clone()
    near[..., 8, 11] += 1.0  # 3 pixels away: inside the 7x7 window
    far[..., 8, 12] += 1.0  # 4 pixels away: outside
    assert not torch.equal(emb(near)[..., 8, 8], out[..., 8, 8])
    torch.testing.assert_close(emb(far)[..., 8, 8], out[..., 8, 8], rtol=0, atol=0)
    with pytest.raises(ConfigError, match='odd'):
        MODELS.build(dict(type=name, in_channels=4, dim=6, kernel_size=4))


def test_unet_reduce_last_skip_adds_a_1x1_conv_and_halves_the_last_level():
    torch.manual_seed(0)
    tiny = dict(
        type='InpaintUNet', dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2]
    )
    ref = MODELS.build(tiny)
    net = MODELS.build(dict(tiny, reduce_last_skip=True))
    assert ref.reduce1 is None
    assert not any(k.startswith('reduce1') for k in ref.state_dict())  # old checkpoints
    assert net.reduce1.weight.shape == (8, 16, 1, 1)
    assert net.decoder1[0].norm1.weight.shape == (8,)
    assert ref.decoder1[0].norm1.weight.shape == (16,)
    img, mask = torch.rand(2, 3, 16, 16), torch.zeros(2, 1, 16, 16)
    mask[..., 4:10, 2:12] = 1
    out = net(img, mask)
    assert out.shape == img.shape
    out.mean().backward()
    assert net.reduce1.weight.grad.abs().sum() > 0
