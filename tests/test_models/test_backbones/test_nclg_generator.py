"""NCLG-MT generator and its blocks (reference-models §5.2-5.4, §5.7)."""

import pytest
import torch
from mmengine.model import BaseModule

from inpaintzoo.models.backbones import NCLGGenerator, NCLGOutput
from inpaintzoo.models.layers import (
    DilatedResBlock,
    FeatureFusion,
    NCLGGatedConv,
    ShortLongAttention,
    rasterize_landmarks,
)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import InvalidImageError


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_paper_size_parameter_counts() -> None:
    net = MODELS.build(dict(type='NCLGGenerator'))
    assert _count(net) == 13_894_479  # §5.7: effective (before_share1 not built)
    lm = net.landmark
    expected = {
        net.enc1: 18_944,
        net.enc2: 262_400,
        net.enc3: 1_049_088,
        net.middle: 8_261_120,
        net.attn: 1_917_762,
        net.dec1: 1_048_832,
        net.fuse1: 65_792,
        net.fuse_map: 83_200,
        net.dec2: 524_416,
        net.fuse2: 16_512,
        net.out: 18_819,
        lm.expand: 330_240,
        lm.node1: 16_448,
        lm.node2: 81_984,
        lm.node3: 163_968,
        lm.prelu: 1,
        lm.fc: 34_952,
    }
    for module, count in expected.items():
        assert _count(module) == count, module


def test_gated_conv_is_f_times_sigmoid_g() -> None:
    torch.manual_seed(0)
    block = NCLGGatedConv(2, 3, 3, padding=1, norm=False)
    x = torch.randn(1, 2, 5, 5)
    f, g = block.conv(x).split(3, dim=1)
    torch.testing.assert_close(block(x), f * torch.sigmoid(g))
    up = NCLGGatedConv(4, 2, 4, stride=2, padding=1, transpose=True)
    assert up(torch.randn(2, 4, 6, 6)).shape == (2, 2, 12, 12)


def test_dilated_res_block_and_fusion_shapes() -> None:
    x = torch.randn(1, 8, 9, 9)
    assert DilatedResBlock(8)(x).shape == x.shape
    out = FeatureFusion(5, 4)(torch.randn(1, 2, 3, 3), torch.randn(1, 3, 3, 3))
    assert out.shape == (1, 4, 3, 3)
    assert (out >= 0).all()  # ReLU


def test_attention_gamma_zero_is_identity_and_alpha_copies_into_holes() -> None:
    torch.manual_seed(0)
    attn = ShortLongAttention(8).eval()
    x, pre = torch.randn(2, 8, 4, 4), torch.randn(2, 8, 4, 4)
    assert torch.equal(attn(x), x)  # gamma = 0 at init
    with torch.no_grad():
        attn.gamma.fill_(0.5)
    q = attn.query(x).flatten(2)
    a = torch.softmax(q.transpose(1, 2) @ q, dim=-1)  # key == query
    ref = 0.5 * (x.flatten(2) @ a.transpose(1, 2)).view_as(x) + x
    torch.testing.assert_close(attn(x), ref)
    # known pixels (M = 0) pass `pre` unchanged into the fusion block
    mask = torch.zeros(2, 1, 4, 4)
    torch.testing.assert_close(
        attn(x, pre, mask), attn.fuse(torch.cat([ref, pre], dim=1))
    )
    with pytest.raises(ValueError, match='mask'):
        attn(x, pre)


def test_rasterize_sets_all_points_in_every_channel() -> None:
    # (x, y) pairs: inside, beyond the far edge (clamped to 3), negative (to 0)
    lm = torch.tensor([[0.30, 0.55, 1.20, 0.10, -0.50, 0.99]], requires_grad=True)
    out = rasterize_landmarks(lm, size=4)
    assert out.shape == (1, 3, 4, 4)
    assert not out.requires_grad
    expected = torch.zeros(4, 4)
    expected[2, 1] = expected[0, 3] = expected[3, 0] = 1  # (row=y, col=x)
    for c in range(3):
        assert torch.equal(out[0, c], expected)


@pytest.mark.slow  # two 256^2 forwards with a 4096^2 attention (~8 s on 1 core)
def test_forward_shapes_and_landmark_output() -> None:
    torch.manual_seed(0)
    net = NCLGGenerator(residual_blocks=1).eval()
    img = torch.rand(1, 3, 256, 256)
    mask = torch.zeros(1, 1, 256, 256)
    mask[..., 64:128, 80:160] = 1
    with torch.no_grad():
        out = net(img, mask)
    assert isinstance(out, NCLGOutput)
    image, landmarks = out
    assert image.shape == (1, 3, 256, 256)
    assert landmarks.shape == (1, 136)
    assert ((image > 0) & (image < 1)).all()
    # hole pixels may hold anything: they are replaced by 1 (white), as the
    # official model sees them (a fill of 0 would give another output)
    with torch.no_grad():
        again = net(torch.where(mask.bool(), torch.nan, img), mask)
        white = net.forward_filled(
            torch.where(mask.bool(), 1.0, img), mask, *net.scaled_masks(mask)
        )
    torch.testing.assert_close(again.image, image)
    torch.testing.assert_close(white.image, image, rtol=0, atol=0)
    torch.testing.assert_close(white.landmarks, landmarks, rtol=0, atol=0)


def test_wrong_size_names_the_requirement() -> None:
    net = NCLGGenerator(residual_blocks=0)
    with pytest.raises(InvalidImageError, match=r'\(B, 3, 256, 256\).*resize'):
        net(torch.rand(1, 3, 128, 128), torch.zeros(1, 1, 128, 128))


def test_vanilla_conv_option_is_a_plain_conv_norm_relu() -> None:
    torch.manual_seed(0)
    block = NCLGGatedConv(2, 3, 3, padding=1, gated=False)
    assert block.conv.out_channels == 3
    x = torch.randn(1, 2, 5, 5)
    ref = torch.relu(torch.nn.functional.instance_norm(block.conv(x)))
    torch.testing.assert_close(block(x), ref)


def test_small_widths_and_ablation_options() -> None:
    torch.manual_seed(0)
    lmk = dict(type='LandmarkPredictor', expand_channels=32, node_channels=(8, 8, 16))
    net = NCLGGenerator(residual_blocks=1, input_size=32, base_channels=8, landmark=lmk)
    img, mask = torch.rand(2, 3, 32, 32), (torch.rand(2, 1, 32, 32) > 0.5).float()
    image, landmarks = net(img, mask)
    assert image.shape == (2, 3, 32, 32)
    assert landmarks.shape == (2, 136)
    assert net.fuse_map.conv.in_channels == 68 + 32
    assert net.landmark.fc.in_features == 32
    base = NCLGGenerator(
        residual_blocks=1, input_size=32, base_channels=8, landmark=None, gated=False
    )
    assert base.landmark is None
    assert base.fuse_map is None
    image, landmarks = base(img, mask)
    assert image.shape == (2, 3, 32, 32)
    assert landmarks is None
    assert base.enc2.conv.out_channels == 16  # no gate half
    assert net.enc2.conv.out_channels == 32


def _weight(module: torch.nn.Module) -> torch.Tensor:
    """The trained weight tensor (``weight_orig`` of a spectral-normalised conv)."""
    return getattr(module, 'weight_orig', module.weight).detach()


def test_init_weights_is_the_official_normal_init() -> None:
    """Reference-models §5.6, through MMEngine's parent ``init_weights`` call."""
    torch.manual_seed(0)

    class Holder(BaseModule):  # like the inpaintor the Runner initialises
        def __init__(self) -> None:
            super().__init__()
            self.generator = NCLGGenerator()

    holder = Holder()
    gen = holder.generator
    sn = [m for m in gen.modules() if hasattr(m, 'weight_orig')]
    assert len(sn) == 3  # the attention's fusion block
    before = {id(m): _weight(m).clone() for m in sn}
    # after a training-mode forward, ``weight`` no longer shares ``weight_orig``'s
    # storage: only an init of ``weight_orig`` itself reaches the trained tensor
    gen.attn.fuse(torch.rand(1, 512, 4, 4))
    holder.init_weights()
    layers = (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)
    checked = 0
    for name, m in gen.named_modules():
        if isinstance(m, layers):
            w = _weight(m)
            assert abs(w.mean().item()) < 0.004, name
            if w.numel() >= 4096:  # std of a 4096-sample std estimate is ~1.1 %
                assert w.std().item() == pytest.approx(0.02, rel=0.06), name
            assert w.abs().max().item() < 0.02 * 7, name
            if m.bias is not None:
                assert torch.count_nonzero(m.bias) == 0, name
            checked += 1
    assert checked == 32  # 29 convs, 2 transposed convs, 1 linear
    bn = gen.landmark.expand.bn
    assert bn.weight.mean().item() == pytest.approx(1.0, abs=0.003)
    assert bn.weight.std().item() == pytest.approx(0.02, rel=0.15)
    assert torch.count_nonzero(bn.bias) == 0
    assert torch.equal(bn.running_var, torch.ones_like(bn.running_var))
    for m in sn:  # written to weight_orig, which the forward normalises
        assert not torch.equal(_weight(m), before[id(m)])
        assert _weight(m).std().item() == pytest.approx(0.02, rel=0.06)
    assert (
        gen.attn.gamma.item() == gen.attn.alpha.item() == gen.landmark.gamma.item() == 0
    )
    assert gen.landmark.prelu.weight.item() == 0.25


def test_init_cfg_replaces_the_official_init() -> None:
    gen = NCLGGenerator(
        residual_blocks=1,
        input_size=32,
        base_channels=8,
        landmark=None,
        init_cfg=dict(type='Constant', layer='Conv2d', val=0.5, bias=0.1),
    )
    gen.init_weights()
    assert torch.all(gen.out.weight == 0.5)
    assert torch.all(gen.out.bias == 0.1)
