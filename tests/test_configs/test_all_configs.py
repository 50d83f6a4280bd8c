"""Every leaf config parses, builds (shrunk) and runs a forward; metafiles match."""

from pathlib import Path

import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS
from tests.tiny_config import shrink_generator

REPO = Path(__file__).resolve().parents[2]
LEAF_CONFIGS = sorted(
    p
    for p in (REPO / 'configs').glob('*/*.py')
    # deblurring configs take no mask: tests/test_restoration checks them
    if p.parent.name not in ('_base_', 'sem_net_deblur')
)


def shrink(cfg: Config) -> tuple[Config, int, int]:
    """Tiny generator of ``cfg`` and an input size it takes (H, W)."""
    gen = cfg.model.generator
    if gen.type != 'NCLGGenerator':
        return shrink_generator(cfg), 24, 40
    # NCLG-MT: fixed square input, widths 8/16/32, one residual block
    gen.update(residual_blocks=1, input_size=32, base_channels=8)
    if gen.get('landmark', 'official') is not None:
        gen.landmark = dict(
            type='LandmarkPredictor', expand_channels=32, node_channels=(8, 8, 16)
        )
    return cfg, 32, 32


def image_of(out) -> torch.Tensor:
    """The image of a generator output (NCLG-MT returns image and landmarks)."""
    return out[0] if isinstance(out, tuple) else out


def test_there_are_leaf_configs():
    assert any(p.parent.name == 'hint' for p in LEAF_CONFIGS)


@pytest.mark.parametrize(
    'path', LEAF_CONFIGS, ids=lambda p: f'{p.parent.name}/{p.stem}'
)
def test_config_builds_and_runs(path: Path):
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    cfg, h, w = shrink(Config.fromfile(str(path)))
    assert cfg.default_scope == 'inpaintzoo'
    for key in ('train_dataloader', 'test_dataloader', 'optim_wrapper', 'train_cfg'):
        assert key in cfg, f'{path.name} lacks {key}'
    model = MODELS.build(cfg.model).eval()
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(2, 3, h, w, generator=gen)
    mask = torch.zeros(2, 1, h, w)
    mask[..., 5:15, 10:30] = 1
    other = img[1:].clone()
    other[..., :5, :] = torch.rand(1, 3, 5, w, generator=gen)  # known pixels only
    batch, masks = torch.cat([img, other]), mask[[0, 1, 1]]
    with torch.no_grad():
        out = model(dict(img=batch, mask=masks), mode='tensor')
        raw = image_of(model.generator(batch, masks))
        alone = image_of(model.generator(img[1:], mask[1:]))
    # known pixels are the input's exactly, the hole is the generator's output
    assert torch.equal(torch.where(masks > 0, 0, out), torch.where(masks > 0, 0, batch))
    assert torch.equal(torch.where(masks > 0, out, 0), torch.where(masks > 0, raw, 0))
    assert 0 <= out.min() <= out.max() <= 1
    # the fill depends on the known pixels (the network reads its input) ...
    hole = masks[1].bool().expand(3, -1, -1)
    assert not torch.allclose(raw[1][hole], raw[2][hole])
    # ... and not on the other samples of the batch (float32 round-off of other
    # GEMM blockings reaches 6e-6 with one thread; a leak is orders larger)
    torch.testing.assert_close(alone, raw[1:2], rtol=1e-4, atol=2e-5)


def test_metafiles_point_at_configs():
    index = yaml.safe_load((REPO / 'model_zoo' / 'model-index.yml').read_text())
    names = set()
    for rel in index['Import']:
        meta = yaml.safe_load((REPO / rel).read_text())
        collections = {c['Name'] for c in meta['Collections']}
        for model in meta['Models']:
            config = REPO / model['Config']
            assert config.is_file(), model['Config']
            assert model['Name'] == config.stem
            assert model['In Collection'] in collections
            names.add(model['Name'])
    assert 'hint_1xb4-300k_celeba-hq-256x256' in names
