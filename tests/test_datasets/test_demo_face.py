"""Face demo data: layout, same bytes every run, exact landmarks, config loads."""

from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.datasets.demo_face import (
    SOURCE_LANDMARKS,
    crop_face,
    face_crop_boxes,
    face_sources,
    prepare_face_demo_data,
    source_landmarks,
)
from inpaintzoo.datasets.face_landmarks import read_landmarks
from inpaintzoo.datasets.masks import ratio_to_bucket
from inpaintzoo.datasets.transforms.geometric import CenterCropResize
from inpaintzoo.registry import DATASETS
from tests.test_datasets.tree_digest import tree_digest

REPO = Path(__file__).resolve().parents[2]
SPLITS = {'train': 48, 'test': 8, 'val': 4}


@pytest.fixture(scope='module')
def face_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('demo_face')
    prepare_face_demo_data(root)
    return root


def test_layout_and_same_bytes_every_run(face_root, tmp_path):
    for split, count in SPLITS.items():
        images = sorted((face_root / split / 'images').glob('*.png'))
        marks = sorted((face_root / split / 'landmarks').glob('*.txt'))
        assert len(images) == count
        assert [p.stem for p in images] == [p.stem for p in marks]
        if split != 'train':
            masks = sorted((face_root / split / 'masks').glob('*.png'))
            assert [p.name for p in masks] == [p.name for p in images]
    assert all(
        p.stem.startswith('astronaut_') for p in (face_root / 'train').rglob('*.*')
    )
    train = {p.read_bytes() for p in (face_root / 'train' / 'images').iterdir()}
    test = {p.read_bytes() for p in (face_root / 'test' / 'images').iterdir()}
    val = {p.read_bytes() for p in (face_root / 'val' / 'images').iterdir()}
    assert len(train) == 48  # jittered crops all differ
    assert not test & val
    buckets = [
        ratio_to_bucket((np.asarray(Image.open(p)) > 0).mean())
        for p in sorted((face_root / 'test' / 'masks').iterdir())
    ]
    assert sorted(set(buckets)) == ['0.01-20%', '20-40%', '40-60%']
    prepare_face_demo_data(tmp_path)
    assert tree_digest(tmp_path) == tree_digest(face_root)


def test_landmarks_follow_each_crop_exactly(face_root):
    """Each file equals CenterCropResize applied to the square source crop."""
    sources = face_sources()
    for name, stem_glob in (('astronaut', 'train'), ('grace_hopper', 'test')):
        img, pts = sources[name](), source_landmarks(name)
        rng = np.random.default_rng(0)
        for box in face_crop_boxes(pts, img.shape, 5, (1.3, 2.0), 0.1, rng):
            top, left, side = box
            assert 0 <= top <= img.shape[0] - side
            assert 0 <= left <= img.shape[1] - side
            crop, crop_pts = crop_face(img, pts, box, 64)
            square = img[top : top + side, left : left + side]
            ref = CenterCropResize(64).transform(
                {'img': square, 'landmarks': pts - np.float32([left, top])}
            )
            np.testing.assert_array_equal(crop, ref['img'])
            np.testing.assert_array_equal(crop_pts, ref['landmarks'])
        assert stem_glob  # both pictures covered
    for split in SPLITS:
        for txt in (face_root / split / 'landmarks').iterdir():
            pts = read_landmarks(txt)
            # the whole face is inside every 64x64 crop, eyes above the mouth
            assert pts.min() > -1
            assert pts.max() < 65
            assert pts[36:48, 1].mean() < pts[48:68, 1].mean()
            assert pts[36:42, 0].mean() < pts[42:48, 0].mean()


@pytest.mark.slow  # loads dlib's predictor, two full pictures at upsample=1
def test_embedded_landmarks_match_dlib():
    pytest.importorskip('dlib', reason='dlib backend not installed (inpaintzoo[face])')
    from inpaintzoo.face.detection import detect_faces

    for name, loader in face_sources().items():
        faces = detect_faces(loader(), upsample=1)
        embedded = source_landmarks(name)
        best = min(faces, key=lambda f: np.abs(f.landmarks - embedded).max())
        assert np.abs(best.landmarks - embedded).max() <= 2, name
    assert set(SOURCE_LANDMARKS) == {'astronaut', 'grace_hopper'}


def test_demo_face_config_yields_landmarks(face_root):
    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(
        str(REPO / 'configs' / '_base_' / 'datasets' / 'demo_face.py')
    )
    for loader, count in (
        (cfg.train_dataloader, 48),
        (cfg.val_dataloader, 4),
        (cfg.test_dataloader, 8),
    ):
        dataset_cfg = loader.dataset.copy()
        dataset_cfg['data_root'] = str(face_root)
        dataset = DATASETS.build(dataset_cfg)
        assert len(dataset) == count
        item = dataset[0]
        assert item['inputs']['img'].shape == (3, 64, 64)
        assert tuple(item['inputs']['landmarks'].shape) == (68, 2)
        assert item['data_samples'].landmark_path.endswith('.txt')
    # the test sample carries the file's landmarks unchanged (64x64 already)
    sample = dataset[3]
    stem = Path(sample['data_samples'].img_path).stem
    np.testing.assert_allclose(
        np.asarray(sample['inputs']['landmarks']),
        read_landmarks(face_root / 'test' / 'landmarks' / f'{stem}.txt'),
    )


def test_face_picture_and_demo_wiring(tmp_path, monkeypatch):
    import importlib.util
    import sys

    from inpaintzoo.apis import demo
    from inpaintzoo.datasets.demo_face import face_demo_picture

    picture = face_demo_picture()
    assert picture.shape == (96, 96, 3)
    assert picture.dtype == np.uint8
    assert demo.demo_data_root('nclg') == 'data/demo_face'
    assert demo.demo_data_root('hint') == 'data/demo'
    assert 'nclg' in demo.DEMO_CONFIGS
    demo.prepare_model_demo_data('nclg', str(tmp_path / 'face'))
    assert len(list((tmp_path / 'face' / 'train' / 'landmarks').glob('*.txt'))) == 48
    # tools/dataset_converters/prepare_demo_data.py --face writes the same data
    path = REPO / 'tools' / 'dataset_converters' / 'prepare_demo_data.py'
    spec = importlib.util.spec_from_file_location('prepare_demo_data_tool', path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    monkeypatch.setattr(sys, 'argv', [str(path), str(tmp_path / 'tool'), '--face'])
    tool.main()
    assert tree_digest(tmp_path / 'tool') == tree_digest(tmp_path / 'face')
