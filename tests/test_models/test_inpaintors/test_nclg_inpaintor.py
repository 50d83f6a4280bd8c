"""NCLG-MT inpaintor: landmark loss, GT preprocessing, train step and predict."""

import copy

import pytest
import torch
from mmengine.optim import OptimWrapperDict
from mmengine.registry import init_default_scope

from inpaintzoo.models.inpaintors.nclg_inpaintor import landmarks_to_pixels
from inpaintzoo.registry import MODELS
from inpaintzoo.structures import InpaintSample
from inpaintzoo.utils.errors import ConfigError
from tests.test_apis.tiny_nclg import tiny_nclg_generator
from tests.tiny_modules import make_gan_optim

SIZE = 32


def tiny_nclg_cfg(**generator) -> dict:
    """A 32x32 NCLG-MT (widths 8/16/32) with L1, TV, lsgan and landmark losses."""
    gen = dict(tiny_nclg_generator(SIZE, width=8), **generator)
    return dict(
        type='NCLGInpaintor',
        generator=gen,
        discriminator=dict(
            type='PatchDiscriminator',
            base_channels=8,
            attention=dict(type='ShortLongAttention', with_skip=False),
        ),
        losses=dict(
            l1=dict(type='L1Loss', loss_weight=1.0),
            tv=dict(type='TVLoss', loss_weight=0.1),
        ),
        gan_loss=dict(type='GANLoss', gan_type='lsgan', loss_weight=0.01),
        landmark_loss=dict(type='LandmarkLoss', loss_weight=0.00046),
    )


def make_batch(n: int = 2, landmarks: bool = True, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    inputs = dict(
        img=[
            torch.randint(0, 256, (3, SIZE, SIZE), generator=g, dtype=torch.uint8)
            for _ in range(n)
        ],
        mask=[(torch.rand(1, SIZE, SIZE, generator=g) > 0.6).float() for _ in range(n)],
    )
    if landmarks:
        inputs['landmarks'] = [torch.rand(68, 2, generator=g) * SIZE for _ in range(n)]
    return dict(inputs=inputs, data_samples=[InpaintSample() for _ in range(n)])


def make_optim(model) -> OptimWrapperDict:
    return make_gan_optim(model, g_lr=1e-3, d_lr=1e-4)


@pytest.fixture
def model():
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    return MODELS.build(tiny_nclg_cfg())


def test_landmark_loss_by_hand() -> None:
    loss = MODELS.build(dict(type='LandmarkLoss', loss_weight=0.5))
    pred = torch.tensor([[[0.0, 0.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]]])
    gt = torch.tensor([[[0.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 3.0]]])
    # per-sample norms 5 and 2, batch mean 3.5, times 0.5
    assert loss(pred, gt).item() == pytest.approx(1.75)
    squared = MODELS.build(dict(type='LandmarkLoss', mode='squared'))
    assert squared(pred, gt).item() == pytest.approx((25 + 4) / 2)
    assert loss(pred.reshape(2, 4), gt).item() == pytest.approx(1.75)
    with pytest.raises(ValueError, match='differ'):
        loss(pred, gt[:, :1])
    with pytest.raises(ValueError, match="'norm' or 'squared'"):
        MODELS.build(dict(type='LandmarkLoss', mode='l1'))


def test_landmarks_to_pixels_scales_x_by_width() -> None:
    pts = landmarks_to_pixels(torch.tensor([[0.5, 0.25, 1.0, 0.0]]), 40, 80)
    torch.testing.assert_close(pts, torch.tensor([[[40.0, 10.0], [80.0, 0.0]]]))


def test_gt_landmarks_are_rounded_and_clamped_like_the_official_loop(model) -> None:
    gt = torch.tensor([[[-3.2, 2.5], [31.6, 40.0], [10.49, 0.51]]])
    out = model.landmark_targets(dict(landmarks=gt), SIZE, SIZE)
    # +0.5 then truncate, clamp to [0, 31]
    torch.testing.assert_close(
        out, torch.tensor([[[0.0, 3.0], [31.0, 31.0], [10.0, 1.0]]])
    )
    model.round_landmarks = model.clamp_landmarks = False
    torch.testing.assert_close(
        model.landmark_targets(dict(landmarks=gt), SIZE, SIZE), gt
    )


def test_loss_mode_matches_hand_computed_landmark_term(model) -> None:
    model.eval()  # no spectral-norm power iteration between the two calls
    data = model.data_preprocessor(make_batch(), training=True)
    inputs = data['inputs']
    losses = model(inputs, mode='loss')
    assert set(losses) == {'loss_l1', 'loss_tv', 'loss_landmark'}
    _, lmk = model.generate_multi(inputs['img'], inputs['mask'])
    pred = lmk.reshape(2, 68, 2) * SIZE
    gt = torch.floor(inputs['landmarks'] + 0.5).clamp(0, SIZE - 1)
    ref = (pred - gt).flatten(1).norm(dim=1).mean() * 0.00046
    torch.testing.assert_close(losses['loss_landmark'], ref)


def test_train_step_logs_all_losses_and_trains_the_landmark_head(model) -> None:
    before = copy.deepcopy(model.state_dict())
    log = model.train_step(make_batch(), make_optim(model))
    assert {
        'loss_l1',
        'loss_tv',
        'loss_landmark',
        'loss_adv_g',
        'loss_g',
        'loss_d_real',
        'loss_d_fake',
        'loss_d',
    } <= set(log)
    after = model.state_dict()
    for name in (
        'generator.landmark.fc.weight',
        'generator.landmark.node1.weight',
        'generator.enc3.conv.weight',
        'discriminator.attn.gamma',  # query: no gradient while gamma = 0
    ):
        assert not torch.equal(before[name], after[name]), name


def test_landmark_gradient_reaches_head_and_shared_encoder(model) -> None:
    data = model.data_preprocessor(make_batch(), training=True)
    model.landmark_loss.loss_weight = 1.0
    model.losses.clear()
    model(data['inputs'], mode='loss')['loss_landmark'].backward()
    gen = model.generator
    assert gen.landmark.fc.weight.grad.abs().sum() > 0
    assert gen.enc3.conv.weight.grad.abs().sum() > 0  # the shared encoder
    assert gen.out.weight.grad is None  # the map is not differentiable


def test_batch_without_landmarks_names_key_and_dataset_option(model) -> None:
    with pytest.raises(ConfigError, match=r"inputs\['landmarks'\].*landmark_source"):
        model.train_step(make_batch(landmarks=False), make_optim(model))


def test_landmark_loss_without_landmark_branch_is_a_config_error() -> None:
    init_default_scope('inpaintzoo')
    model = MODELS.build(tiny_nclg_cfg(landmark=None))
    with pytest.raises(ConfigError, match='landmark_loss=None'):
        model.train_step(make_batch(), make_optim(model))
    model.landmark_loss = None  # the image-only baseline trains without GT
    log = model.train_step(make_batch(landmarks=False), make_optim(model))
    assert 'loss_landmark' not in log


def test_predict_sets_pixel_landmarks_without_gt(model) -> None:
    model.eval()
    batch = make_batch(landmarks=False)
    with torch.no_grad():
        samples = model.test_step(batch)
    assert len(samples) == 2
    for s in samples:
        assert s.pred_landmarks.shape == (68, 2)
        assert s.pred_landmarks.dtype == torch.float32
        assert s.pred_img.shape == (3, SIZE, SIZE)
    data = model.data_preprocessor(batch)
    with torch.no_grad():
        _, lmk = model.generate_multi(data['inputs']['img'], data['inputs']['mask'])
    torch.testing.assert_close(samples[0].pred_landmarks, lmk[0].reshape(68, 2) * SIZE)
    with torch.no_grad():
        out = model(data['inputs'], mode='tensor')
    assert out.shape == (2, 3, SIZE, SIZE)


def test_landmark_branch_attaches_to_hint_by_config() -> None:
    from mmengine.config import Config

    from tests.tiny_config import REPO

    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    hint = Config.fromfile(str(REPO / 'configs/_base_/models/hint.py'))
    unet = hint.model.generator.to_dict()
    unet.update(dim=8, num_blocks=[1, 1, 1, 1], num_heads=[1, 1, 2, 2])
    cfg = tiny_nclg_cfg()
    cfg['generator'] = dict(
        type='LandmarkBranchGenerator', generator=unet, feature='latent', in_channels=64
    )
    model = MODELS.build(cfg)
    gen = model.generator
    assert type(gen.generator).__name__ == 'InpaintUNet'
    assert gen.landmark.fc.in_features == 64
    log = model.train_step(make_batch(), make_optim(model))
    assert 'loss_landmark' in log
    model.zero_grad()
    model.losses.clear()
    data = model.data_preprocessor(make_batch(), training=True)
    model(data['inputs'], mode='loss')['loss_landmark'].backward()
    # the landmark loss trains the shared HINT encoder, not the decoder
    assert any(p.grad is not None for p in gen.generator.encoder1.parameters())
    assert all(p.grad is None for p in gen.generator.output.parameters())
    model.eval()
    with torch.no_grad():
        samples = model.test_step(make_batch(landmarks=False))
    assert samples[0].pred_landmarks.shape == (68, 2)
    with pytest.raises(ConfigError, match=r"'nope' is not a sub-module.*latent"):
        MODELS.build(dict(cfg['generator'], feature='nope'))


@MODELS.register_module(force=True)
class AnySizeLandmarkStub(torch.nn.Module):
    """(img, mask) -> (sigmoid(conv), fixed normalised landmarks (N, 2K)): any H, W."""

    def __init__(self, landmarks: list[float]):
        super().__init__()
        self.conv = torch.nn.Conv2d(4, 3, 3, padding=1)
        self.landmarks = torch.nn.Parameter(torch.tensor([landmarks]))

    def forward(self, img: torch.Tensor, mask: torch.Tensor):
        image = torch.sigmoid(self.conv(torch.cat([img, mask], 1)))
        return image, self.landmarks.expand(img.shape[0], -1)


def test_non_square_landmark_loss_scales_x_by_width_and_y_by_height() -> None:
    init_default_scope('inpaintzoo')
    h, w = 16, 48
    model = MODELS.build(
        dict(
            type='NCLGInpaintor',
            generator=dict(type='AnySizeLandmarkStub', landmarks=[0.5, 0.25, 1.0, 0.0]),
            discriminator=dict(type='PatchDiscriminator', base_channels=8),
            losses=dict(),
            gan_loss=dict(type='GANLoss', gan_type='lsgan', loss_weight=0.01),
            landmark_loss=dict(type='LandmarkLoss', loss_weight=1.0),
            train_cfg=dict(round_landmarks=False, clamp_landmarks=False),
        )
    )
    gt_px = torch.tensor([[[24.0, 4.0], [48.0, 0.0]]])  # exactly the prediction
    inputs = dict(
        img=torch.rand(1, 3, h, w), mask=torch.zeros(1, 1, h, w), landmarks=gt_px
    )
    assert model(inputs, mode='loss')['loss_landmark'].item() == pytest.approx(0)
    # one pixel off in y only: the norm is 1
    inputs['landmarks'] = gt_px + torch.tensor([[[0.0, 1.0], [0.0, 0.0]]])
    assert model(inputs, mode='loss')['loss_landmark'].item() == pytest.approx(1)
    samples = model(inputs, [InpaintSample()], mode='predict')
    torch.testing.assert_close(samples[0].pred_landmarks, gt_px[0])
