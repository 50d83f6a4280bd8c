"""Blocks of the chapter-5 ablations: IdentityBlock, SpatialSelfAttention."""

import pytest
import torch

from inpaintzoo.models.layers import IdentityBlock, SpatialSelfAttention
from inpaintzoo.registry import MODELS
from tests.test_models.test_layers.perturb import perturb

D64 = torch.float64


def _perturb(module: torch.nn.Module) -> torch.nn.Module:
    return perturb(module, seed=3)


def test_identity_block_returns_input_and_has_no_parameters():
    block = MODELS.build(dict(type='IdentityBlock', dim=8, num_heads=2))
    assert isinstance(block, IdentityBlock)
    assert sum(p.numel() for p in block.parameters()) == 0
    x = torch.randn(2, 8, 5, 7, requires_grad=True)
    out = block(x)
    assert out.shape == x.shape
    assert torch.equal(out, x)
    out.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))


def test_identity_block_unet_is_the_skeleton_only():
    """With identity blocks the generator holds no block parameter at all."""
    gen = dict(
        type='InpaintUNet',
        dim=8,
        num_blocks=[1, 2, 1, 1],
        num_heads=[1, 1, 2, 2],
        block=dict(type='IdentityBlock'),
        embed=dict(type='ConvEmbedding'),
        down=dict(type='PixelUnshuffleDownsample'),
    )
    net = MODELS.build(gen)
    assert not any(
        k.startswith(('encoder', 'latent', 'decoder')) for k in net.state_dict()
    )
    img, mask = torch.rand(1, 3, 16, 16), torch.zeros(1, 1, 16, 16)
    mask[..., 4:10, 2:12] = 1
    out = net(img, mask)
    assert out.shape == (1, 3, 16, 16)
    out.mean().backward()
    assert net.embed.proj.weight.grad.abs().sum() > 0


def _ssa_reference(m: SpatialSelfAttention, x: torch.Tensor) -> torch.Tensor:
    """Explicit softmax(q k^T / sqrt(d)) v, one head at a time."""
    n, c, h, w = x.shape
    heads, d = m.num_heads, c // m.num_heads
    q, k, v = m.qkv(x).reshape(n, 3 * c, h * w).chunk(3, dim=1)  # (N, C, L)
    out = torch.empty(n, c, h * w, dtype=x.dtype)
    for i in range(heads):
        sl = slice(i * d, (i + 1) * d)
        logits = q[:, sl].transpose(1, 2) @ k[:, sl] / d**0.5  # (N, L, L)
        out[:, sl] = (logits.softmax(-1) @ v[:, sl].transpose(1, 2)).transpose(1, 2)
    return m.project_out(out.reshape(n, c, h, w))


@pytest.mark.parametrize('heads', [1, 2])
def test_ssa_matches_explicit_attention(heads):
    torch.manual_seed(0)
    m = _perturb(SpatialSelfAttention(8, num_heads=heads, bias=True).to(D64))
    x = torch.randn(2, 8, 5, 6, dtype=D64)
    out = m(x)
    assert out.shape == x.shape
    torch.testing.assert_close(out, _ssa_reference(m, x), rtol=1e-10, atol=1e-10)


def test_ssa_is_global_and_permutation_equivariant():
    """Every pixel sees every other; permuting pixels permutes the output."""
    torch.manual_seed(0)
    m = _perturb(SpatialSelfAttention(4, num_heads=2).to(D64))
    x = torch.randn(1, 4, 6, 6, dtype=D64, requires_grad=True)
    out = m(x)
    out[0, :, 0, 0].sum().backward()
    assert (x.grad[0].abs().sum(0) > 0).all()  # the far corner influences (0, 0)
    perm = torch.randperm(36)
    xp = x.detach().reshape(1, 4, 36)[..., perm].reshape(1, 4, 6, 6)
    expected = out.detach().reshape(1, 4, 36)[..., perm].reshape(1, 4, 6, 6)
    torch.testing.assert_close(m(xp), expected)


def test_ssa_gradients_reach_every_parameter():
    m = _perturb(SpatialSelfAttention(8, num_heads=2, bias=True))
    m(torch.randn(1, 8, 4, 4)).square().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.parameters())


def test_ssa_rejects_heads_not_dividing_dim():
    with pytest.raises(ValueError, match='num_heads must divide dim'):
        SpatialSelfAttention(8, num_heads=3)
