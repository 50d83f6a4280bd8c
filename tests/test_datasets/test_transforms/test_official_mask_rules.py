"""The official mask rules (reference-models §1.10, mask modes 3 and 6).

Upstream reads the grey mask file, resizes it with Pillow's default (bicubic)
filter, and only then thresholds it: NCLG-MT's test counts a value ``> 100`` as
a hole; HINT, MxT and SEM-Net's test and every model's training masks (mode 3,
after a centre crop) count any value ``> 0``. The expected masks here are
computed with Pillow and numpy alone, not with inpaintzoo code.
"""

from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from inpaintzoo.registry import TRANSFORMS

REPO = Path(__file__).resolve().parents[3]
NCLG = REPO / 'configs/nclg/nclg_1xb1-130k_celeba-256x256.py'
OTHERS = (
    'configs/hint/hint_1xb4-300k_celeba-hq-256x256.py',
    'configs/mxt/mxt_celebahq.py',
    'configs/sem_net/sem_celebahq.py',
)
SIZE = 256


def official_nclg_mask(
    path: Path, size: int = SIZE, threshold: int = 100, crop: bool = False
) -> np.ndarray:
    """Upstream's modes 6 and 3, written independently (grey, resize, > threshold).

    Args:
        path (Path): mask file (white = hole).
        size (int): side of the (square) image the mask is fitted to.
        threshold (int): 100 for NCLG-MT's test, else 0.
        crop (bool): centre-crop a non-square mask first (mode 3).

    Returns:
        np.ndarray: (size, size) bool, True = hole.
    """
    grey = Image.open(path).convert('L')
    if crop:
        w, h = grey.size
        side = min(w, h)
        top, left = (h - side) // 2, (w - side) // 2
        grey = grey.crop((left, top, left + side, top + side))
    if grey.size != (size, size):
        grey = grey.resize((size, size), Image.Resampling.BICUBIC)
    return np.asarray(grey) > threshold


def load_mask_cfg(config: Path | str) -> dict:
    """The ``LoadMask`` step of a config's test pipeline."""
    cfg = Config.fromfile(str(REPO / config))
    (step,) = [
        s for s in cfg.test_dataloader.dataset.pipeline if s['type'] == 'LoadMask'
    ]
    return step


def nclg_load_mask(path: Path, size: int = SIZE) -> np.ndarray:
    """The mask the NCLG-MT test pipeline's ``LoadMask`` makes, (size, size)."""
    transform = TRANSFORMS.build(load_mask_cfg(NCLG))
    img = np.zeros((size, size, 3), np.uint8)
    return transform({'mask_path': str(path), 'img': img})['mask']


@pytest.fixture(scope='module')
def nclg_masks(data_dir: Path) -> list[Path]:
    """The official NCLG-MT example masks (256x256, anti-aliased grey edges)."""
    paths = sorted((data_dir / 'celeba_landmarks' / 'masks').glob('*.png'))
    assert len(paths) == 4
    return paths


def test_nclg_test_masks_match_official_rule(nclg_masks: list[Path]) -> None:
    for path in nclg_masks:
        expected = official_nclg_mask(path)
        mask = nclg_load_mask(path)
        assert mask.shape == (SIZE, SIZE)
        assert mask.mean() == pytest.approx(expected.mean(), abs=1e-12)
        np.testing.assert_array_equal(mask, expected.astype(np.float32))
        # the old rule (> 0) makes holes about 9 % larger: this test tells them apart
        any_grey = np.asarray(Image.open(path).convert('L')) > 0
        assert any_grey.mean() > expected.mean() * 1.05


def test_nclg_rule_resizes_grey_values_before_threshold(
    nclg_masks: list[Path], tmp_path: Path
) -> None:
    # a 512x512 grey mask (NVIDIA masks are 512x512): the order of resize and
    # threshold matters, and upstream resizes first
    for path in nclg_masks:
        big = Image.open(path).convert('L').resize((512, 512), Image.Resampling.BICUBIC)
        big_path = tmp_path / path.name
        big.save(big_path)
        expected = official_nclg_mask(big_path)
        mask = nclg_load_mask(big_path)
        np.testing.assert_array_equal(mask, expected.astype(np.float32))
        # threshold first, then resize the binary mask: a different mask
        binary = Image.fromarray((np.asarray(big) > 100).astype(np.uint8) * 255)
        small = binary.resize((SIZE, SIZE), Image.Resampling.BICUBIC)
        assert (np.asarray(small) > 0).sum() != expected.sum()


def test_other_models_keep_threshold_zero() -> None:
    nclg = load_mask_cfg(NCLG)
    assert (nclg['threshold'], nclg['threshold_after_resize']) == (100, True)
    for config in OTHERS:
        step = load_mask_cfg(config)
        assert step.get('threshold', 0) == 0, config
        assert step['threshold_after_resize'], config  # upstream resizes first


@pytest.mark.parametrize('config', OTHERS)
def test_other_models_test_masks_match_official_rule(
    config: str, nclg_masks: list[Path], tmp_path: Path
) -> None:
    transform = TRANSFORMS.build(load_mask_cfg(config))
    img = np.zeros((SIZE, SIZE, 3), np.uint8)
    for path in nclg_masks:  # 512x512 with grey edges, as NVIDIA masks are sized
        big = Image.open(path).convert('L').resize((512, 512), Image.Resampling.BICUBIC)
        big.save(tmp_path / path.name)
        expected = official_nclg_mask(tmp_path / path.name, threshold=0)
        mask = transform({'mask_path': str(tmp_path / path.name), 'img': img})['mask']
        np.testing.assert_array_equal(mask, expected.astype(np.float32))


@pytest.mark.parametrize('config', [NCLG, *OTHERS])
def test_training_masks_match_official_mode_3(
    config: str, nclg_masks: list[Path], tmp_path: Path
) -> None:
    cfg = Config.fromfile(str(REPO / config))
    (step,) = [
        s
        for s in cfg.train_dataloader.dataset.pipeline
        if s['type'] == 'RandomMaskFromFiles'
    ]
    big = Image.open(nclg_masks[0]).convert('L').resize((600, 512), Image.BICUBIC)
    big.save(tmp_path / 'm.png')  # non-square: centre-cropped first
    source = TRANSFORMS.build({**step, 'mask_source': str(tmp_path)})
    mask = source.generate((SIZE, SIZE), np.random.default_rng(0))
    expected = official_nclg_mask(tmp_path / 'm.png', threshold=0, crop=True)
    np.testing.assert_array_equal(mask, expected.astype(np.float32))


def test_default_load_mask_is_unchanged(nclg_masks: list[Path]) -> None:
    transform = TRANSFORMS.build(dict(type='LoadMask'))
    assert transform.threshold == 0
    assert transform.threshold_after_resize is False
    for path in nclg_masks:
        grey = np.asarray(Image.open(path).convert('L'))
        mask = transform({'mask_path': str(path)})['mask']
        np.testing.assert_array_equal(mask, (grey > 0).astype(np.float32))
