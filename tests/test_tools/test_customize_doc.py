"""docs/customize.md: its example package and configs work as written.

The code blocks whose first line is ``# <file>`` are written to a temporary
project folder (the configs' ``_base_`` pointed at this checkout), then the main
example trains two iterations on the demo data with tools/train.py and the
scoped example builds its generator.
"""

import json
import re
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from inpaintzoo.registry import DATASETS, MODELS
from tests.tiny_config import REPO

DOC = REPO / 'docs' / 'customize.md'
BLOCK = re.compile(r'```python\n# (?P<name>[\w/.]+)\n(?P<body>.*?)```', re.S)
BASE = "'../inpaintzoo/configs/"
OURS = {
    MODELS: ('CharbonnierLoss', 'ResConvBlock'),
    DATASETS: ('FirstImagesDataset',),
}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """The doc's files under ``tmp_path``, importable; registrations undone."""
    for match in BLOCK.finditer(DOC.read_text()):
        path = tmp_path / match['name']
        path.parent.mkdir(parents=True, exist_ok=True)
        body = match['body'].replace(BASE, repr(str(REPO / 'configs'))[:-1] + '/')
        path.write_text(f'# {match["name"]}\n{body}')
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ('my_inpaint', 'myproj'):
        sys.modules.pop(name, None)
    for registry, names in OURS.items():
        for name in names:
            registry._module_dict.pop(name, None)
    MODELS._children.pop('myproj', None)


def test_doc_lists_the_files_it_explains(project):
    names = {p.relative_to(project).as_posix() for p in project.rglob('*.py')}
    assert names == {
        'my_inpaint/__init__.py',
        'my_hint_charb.py',
        'myproj/__init__.py',
        'my_hint_scoped.py',
    }


def test_example_trains_with_its_loss_block_and_dataset(project, run_tool, demo_root):
    work = project / 'work'
    roots = [
        f'{loader}.dataset.data_root={demo_root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]
    run = run_tool(
        'tools/train.py',
        str(project / 'my_hint_charb.py'),
        '--work-dir',
        str(work),
        '--cfg-options',
        'train_cfg.max_iters=2',
        'train_cfg.val_interval=2',
        'train_dataloader.batch_size=2',
        'default_hooks.logger.interval=1',
        *roots,
    )
    assert run.code == 0, run.err[-2000:]
    scalars = next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()
    logged = [json.loads(line) for line in scalars]
    assert any('loss_charb' in row and 'loss_l1' in row for row in logged)
    from my_inpaint import FirstImagesDataset, ResConvBlock

    cfg = Config.fromfile(str(project / 'my_hint_charb.py'))
    assert isinstance(MODELS.build(cfg.model.generator).latent[0], ResConvBlock)
    dataset = FirstImagesDataset(
        img_source='train', data_root=str(demo_root), max_images=4, pipeline=[]
    )
    assert len(dataset) == 4


def test_scoped_example_builds_its_generator(project):
    cfg = Config.fromfile(str(project / 'my_hint_scoped.py'))
    net = MODELS.build(cfg.model.generator)
    assert type(net.encoder1[0]).__name__ == 'ScopedBlock'
