"""Activation checkpointing (``with_cp``) of InpaintUNet and NCLG-MT.

Checkpointed and plain networks with the same weights must give the same
outputs and gradients (float64), checkpoint exactly the selected blocks, never
checkpoint outside training with gradients, and keep fewer tensors for backward.
"""

import copy

import pytest
import torch
from mmengine.config import Config

import inpaintzoo.models.backbones.inpaint_unet as unet_module
import inpaintzoo.models.backbones.nclg_generator as nclg_module
import inpaintzoo.models.ssm.scan_dispatch as scan_dispatch
from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError
from tests.test_apis.tiny_nclg import tiny_nclg_generator
from tests.tiny_config import REPO

#: the paper models' generators (block, sampler and embedding types), shrunk
ARCHS = ('hint', 'mxt', 'sem_net')
SIZE = 16


def tiny_generator_cfg(arch: str, **overrides) -> dict:
    """The generator of ``configs/_base_/models/<arch>.py`` at dim 4, few blocks."""
    cfg = Config.fromfile(str(REPO / f'configs/_base_/models/{arch}.py'))
    gen = cfg.model.generator.to_dict()
    gen.update(dim=4, num_blocks=[2, 1, 1, 1], num_heads=[1, 1, 2, 2], **overrides)
    return gen


@pytest.fixture
def count_checkpoints(monkeypatch):
    """Wrap the backbones' ``checkpoint``; returns the list of checkpointed modules."""
    calls = []

    def patch(module):
        real = module.checkpoint

        def counting(fn, *args, **kwargs):
            calls.append(fn)
            assert kwargs == dict(use_reentrant=False)
            return real(fn, *args, **kwargs)

        monkeypatch.setattr(module, 'checkpoint', counting)

    patch(unet_module)
    patch(nclg_module)
    return calls


def saved_numel(fn) -> tuple[object, int]:
    """Run ``fn()``; returns its result and the numel of the tensors autograd kept
    for backward outside checkpointed regions."""
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, total


def unet_inputs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    img = torch.rand(2, 3, SIZE, SIZE, generator=g, dtype=torch.float64)
    mask = torch.zeros(2, 1, SIZE, SIZE, dtype=torch.float64)
    mask[0, :, 3:11, 4:13] = 1
    mask[1, :, 8:, :6] = 1
    return img, mask


def plain_and_checkpointed(cfg: dict, with_cp) -> tuple[torch.nn.Module, ...]:
    torch.manual_seed(0)
    plain = MODELS.build(dict(cfg, with_cp=False)).double().train()
    ckpt = MODELS.build(dict(cfg, with_cp=with_cp)).double().train()
    ckpt.load_state_dict(plain.state_dict())
    return plain, ckpt


def loss_and_grads(net, run) -> tuple[list[torch.Tensor], dict, int]:
    outs, numel = saved_numel(run)
    outs = [o for o in outs if o is not None] if isinstance(outs, tuple) else [outs]
    loss = sum(
        (o * torch.linspace(0, 1, o.numel()).reshape(o.shape)).sum() for o in outs
    )
    loss.backward()
    grads = {n: p.grad.clone() for n, p in net.named_parameters()}
    return [o.detach() for o in outs], grads, numel


@pytest.mark.parametrize('arch', ARCHS)
def test_unet_checkpointed_matches_plain(arch, count_checkpoints, monkeypatch):
    scans = []
    real_fused = scan_dispatch.selective_scan_fused

    def counting_scan(*args, **kwargs):
        scans.append(1)
        return real_fused(*args, **kwargs)

    monkeypatch.setattr(scan_dispatch, 'selective_scan_fused', counting_scan)
    plain, ckpt = plain_and_checkpointed(tiny_generator_cfg(arch), True)
    img, mask = unet_inputs()
    out_p, grads_p, saved_p = loss_and_grads(plain, lambda: plain(img, mask))
    plain_scans = len(scans)
    assert count_checkpoints == []
    out_c, grads_c, saved_c = loss_and_grads(ckpt, lambda: ckpt(img, mask))
    # 2 + 1 + 1 encoder blocks, 1 latent, 1 + 1 + 2 decoder blocks
    assert count_checkpoints == [
        *ckpt.encoder1, *ckpt.encoder2, *ckpt.encoder3, *ckpt.latent,
        *ckpt.decoder3, *ckpt.decoder2, *ckpt.decoder1,
    ]  # fmt: skip
    if arch != 'hint' and load_kernel() is not None:
        # the fused C scan (its own L/64 state checkpoints) ran in the
        # checkpointed forward and again in the backward's recompute
        assert plain_scans > 0
        assert len(scans) - plain_scans == 2 * plain_scans
    torch.testing.assert_close(out_c, out_p, rtol=0, atol=0)
    assert grads_c.keys() == grads_p.keys()
    for name, grad in grads_p.items():
        torch.testing.assert_close(grads_c[name], grad, rtol=0, atol=1e-12, msg=name)
    assert saved_c < saved_p / 2


def test_unet_per_level_selection(count_checkpoints):
    _, ckpt = plain_and_checkpointed(
        tiny_generator_cfg('hint'), [True, False, False, True]
    )
    assert ckpt.with_cp == (True, False, False, True)
    img, mask = unet_inputs()
    ckpt(img, mask).sum().backward()
    assert count_checkpoints == [*ckpt.encoder1, *ckpt.latent, *ckpt.decoder1]


@pytest.mark.parametrize('mode', ['eval', 'no_grad', 'inference_mode'])
def test_no_checkpointing_outside_training_with_grad(mode, count_checkpoints):
    _, ckpt = plain_and_checkpointed(tiny_generator_cfg('hint'), True)
    torch.manual_seed(0)
    nclg = MODELS.build(dict(tiny_nclg_generator(32, width=8), with_cp=True)).double()
    img, mask = unet_inputs()
    nclg_img = torch.rand(1, 3, 32, 32, dtype=torch.float64)
    nclg_mask = torch.zeros(1, 1, 32, 32, dtype=torch.float64)
    context = {
        'eval': torch.enable_grad,
        'no_grad': torch.no_grad,
        'inference_mode': torch.inference_mode,
    }[mode]
    if mode == 'eval':
        ckpt.eval()
        nclg.eval()
    with context():
        ckpt(img, mask)
        nclg(nclg_img, nclg_mask)
    assert count_checkpoints == []


@pytest.mark.parametrize(
    'value', [1, 'True', [True] * 3, [1, 0, 0, 0], ['encoder1'], None]
)
def test_unet_bad_with_cp_raises(value):
    with pytest.raises(ConfigError, match=r'with_cp must be a bool or a list of 4'):
        MODELS.build(tiny_generator_cfg('hint', with_cp=value))


def nclg_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    img = torch.rand(2, 3, 32, 32, generator=g, dtype=torch.float64)
    mask = torch.zeros(2, 1, 32, 32, dtype=torch.float64)
    mask[0, :, 6:20, 8:24] = 1
    mask[1, :, 16:, 2:12] = 1
    return img, mask


@pytest.mark.parametrize(
    ('with_cp', 'stages'),
    [
        (True, ('encoder', 'middle', 'decoder')),
        (['middle'], ('middle',)),
        (['decoder', 'encoder'], ('encoder', 'decoder')),
    ],
)
def test_nclg_checkpointed_matches_plain(with_cp, stages, count_checkpoints):
    cfg = dict(tiny_nclg_generator(32, width=8), residual_blocks=2)
    plain, ckpt = plain_and_checkpointed(cfg, with_cp)
    img, mask = nclg_inputs()
    out_p, grads_p, saved_p = loss_and_grads(plain, lambda: tuple(plain(img, mask)))
    out_c, grads_c, saved_c = loss_and_grads(ckpt, lambda: tuple(ckpt(img, mask)))
    modules = dict(
        encoder=[ckpt.enc1, ckpt.enc2, ckpt.enc3],
        middle=list(ckpt.middle),
        decoder=[ckpt.dec1, ckpt.fuse1, ckpt.fuse_map, ckpt.dec2, ckpt.fuse2],
    )
    expected = [m for s in stages for m in modules[s]]
    assert sorted(map(id, count_checkpoints)) == sorted(map(id, expected))
    assert len(out_c) == 2  # image and landmarks
    torch.testing.assert_close(out_c, out_p, rtol=0, atol=0)
    for name, grad in grads_p.items():
        torch.testing.assert_close(grads_c[name], grad, rtol=0, atol=1e-12, msg=name)
    # spectral-norm vectors (attn) and BatchNorm statistics (landmark head) were
    # updated once, as without checkpointing
    for key, value in plain.state_dict().items():
        torch.testing.assert_close(ckpt.state_dict()[key], value, rtol=0, atol=0)
    assert saved_c < saved_p


def test_nclg_without_landmark_branch_checkpoints():
    cfg = dict(tiny_nclg_generator(32, width=8), landmark=None)
    plain, ckpt = plain_and_checkpointed(cfg, True)
    img, mask = nclg_inputs()
    out_p = plain(img, mask)
    out_c = ckpt(img, mask)
    assert out_c.landmarks is None
    torch.testing.assert_close(out_c.image, out_p.image, rtol=0, atol=0)


@pytest.mark.parametrize(
    'value', ['middle', ['mid'], ['middle', 'middle'], 1, None, ['attn']]
)
def test_nclg_bad_with_cp_raises(value):
    cfg = copy.deepcopy(tiny_nclg_generator(32, width=8))
    with pytest.raises(
        ConfigError, match='with_cp must be a bool or a list of distinct'
    ):
        MODELS.build(dict(cfg, with_cp=value))


def test_base_configs_default_with_cp_off():
    for arch in ('hint', 'mxt', 'sem_net', 'nclg'):
        cfg = Config.fromfile(str(REPO / f'configs/_base_/models/{arch}.py'))
        assert cfg.model.generator.with_cp is False, arch
