"""A tiny HINT config for the inference-API tests (builds in well under a second)."""

from pathlib import Path

from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'


def tiny_config() -> Config:
    """The tiny HINT demo config shrunk to dim 4, one block per level."""
    cfg = Config.fromfile(str(TINY_CONFIG))
    gen = cfg.model.generator
    gen.dim, gen.num_blocks, gen.num_heads = 4, [1, 1, 1, 1], [1, 1, 1, 1]
    return cfg
