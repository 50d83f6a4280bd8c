"""Every leaf config parses, builds (shrunk) and runs a forward; metafiles match."""

from pathlib import Path

import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS

REPO = Path(__file__).resolve().parents[2]
LEAF_CONFIGS = sorted(
    p for p in (REPO / 'configs').glob('*/*.py') if p.parent.name != '_base_'
)


def shrink(cfg: Config) -> Config:
    gen = cfg.model.generator
    gen.dim = 4
    gen.num_blocks = [1, 1, 1, 1]
    gen.num_heads = [1, 1, 1, 1]
    return cfg


def test_there_are_leaf_configs():
    assert any(p.parent.name == 'hint' for p in LEAF_CONFIGS)


@pytest.mark.parametrize(
    'path', LEAF_CONFIGS, ids=lambda p: f'{p.parent.name}/{p.stem}'
)
def test_config_builds_and_runs(path: Path):
    init_default_scope('inpaintzoo')
    cfg = shrink(Config.fromfile(str(path)))
    assert cfg.default_scope == 'inpaintzoo'
    for key in ('train_dataloader', 'test_dataloader', 'optim_wrapper', 'train_cfg'):
        assert key in cfg, f'{path.name} lacks {key}'
    model = MODELS.build(cfg.model).eval()
    img = torch.rand(1, 3, 24, 40)
    mask = torch.zeros(1, 1, 24, 40)
    mask[..., 5:15, 10:30] = 1
    with torch.no_grad():
        out = model(dict(img=img, mask=mask), mode='tensor')
    assert out.shape == img.shape
    assert torch.equal(out * (1 - mask), img * (1 - mask))


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
