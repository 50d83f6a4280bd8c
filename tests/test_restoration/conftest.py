"""Fixtures of the restoration tests: tiny deblurring configs and paired folders."""

from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
DEBLUR_DIR = REPO / 'configs' / 'sem_net_deblur'
GOPRO_CONFIG = DEBLUR_DIR / 'sem-deblur_1xb4-300k_gopro-256x256.py'
HIDE_CONFIG = DEBLUR_DIR / 'sem-deblur-hidetest_1xb4-300k_gopro-256x256.py'
DEMO_CONFIG = DEBLUR_DIR / 'sem-deblur-tiny_1xb4-300_demo-64x64.py'


def tiny_deblur_config(dim: int = 4) -> Config:
    """The demo deblurring config, generator shrunk to ``dim``, one block a level."""
    cfg = Config.fromfile(str(DEMO_CONFIG))
    gen = cfg.model.generator
    gen.dim, gen.num_blocks, gen.num_heads = dim, [1, 1, 1, 1], [1, 1, 1, 1]
    return cfg


def write_png(path: Path, arr: np.ndarray) -> Path:
    """Write an (H, W, 3) uint8 array as PNG, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path, format='PNG')
    return path


def random_rgb(rng: np.random.Generator, h: int = 24, w: int = 32) -> np.ndarray:
    """(h, w, 3) uint8 noise."""
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.fixture
def gopro_root(tmp_path: Path) -> Path:
    """A GoPro-like tree: train/ and test/ with two sequences each, 2 pairs each."""
    root, rng = tmp_path / 'gopro', np.random.default_rng(0)
    for split in ('train', 'test'):
        for seq in ('GOPR0001_11_00', 'GOPR0002_11_01'):
            for k in range(2):
                name = f'{k:06d}.png'
                write_png(root / split / seq / 'blur' / name, random_rgb(rng))
                write_png(root / split / seq / 'sharp' / name, random_rgb(rng))
        # GOPRO_Large also ships blur_gamma/: it must be ignored
        write_png(
            root / split / 'GOPR0001_11_00' / 'blur_gamma' / 'x.png',
            random_rgb(rng),
        )
    return root


@pytest.fixture
def hide_root(tmp_path: Path) -> Path:
    """A HIDE-like tree: test/{test-close-ups,test-long-shot} and a larger GT/."""
    root, rng = tmp_path / 'hide', np.random.default_rng(1)
    for subset, names in (
        ('test-close-ups', ['1fromGOPR0950.png']),
        ('test-long-shot', ['3fromGOPR0981.png', '9fromGOPR1024.png']),
    ):
        for name in names:
            write_png(root / 'test' / subset / name, random_rgb(rng))
            write_png(root / 'GT' / name, random_rgb(rng))
    write_png(root / 'GT' / 'train_only.png', random_rgb(rng))  # a training GT
    return root
