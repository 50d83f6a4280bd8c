"""Hooks that write inpainting results as images."""

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.visualization import Visualizer

from inpaintzoo.registry import HOOKS


def to_uint8_hwc(img: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8 RGB (rounded)."""
    arr = img.detach().float().clamp(0, 1).mul(255).round().byte()
    return arr.permute(1, 2, 0).cpu().numpy()


def make_grid_row(sample) -> np.ndarray:
    """One row ``input | masked input | output | composite | ground truth``.

    Args:
        sample: an ``InpaintSample`` with ``gt_img``, ``mask``, ``raw_img`` and
            ``pred_img`` (all CHW float in [0, 1]).

    Returns:
        np.ndarray: (H, 5 * W + 8, 3) uint8 RGB with 2-pixel white separators.
    """
    gt, mask = sample.gt_img, sample.mask
    masked = gt * (1 - mask) + mask
    tiles = [to_uint8_hwc(t) for t in (gt, masked, sample.raw_img, sample.pred_img, gt)]
    sep = np.full((gt.shape[1], 2, 3), 255, np.uint8)
    row = [tiles[0]]
    for tile in tiles[1:]:
        row += [sep, tile]
    return np.concatenate(row, axis=1)


@HOOKS.register_module()
class InpaintVisualizationHook(Hook):
    """Save ``input | masked | output | composite | gt`` grids during val/test.

    Grids go through the current :class:`Visualizer` (``LocalVisBackend`` writes
    ``<work_dir>/<timestamp>/vis_data/vis_image/<name>_<step>.png``).

    Args:
        interval (int): visualise every ``interval``-th batch. Defaults to 1.
        max_images (int): rows per grid (from the start of each batch).
            Defaults to 4.
        max_batches (int): batches visualised per val/test run. Defaults to 4.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 1, max_images: int = 4, max_batches: int = 4):
        self.interval = interval
        self.max_images = max_images
        self.max_batches = max_batches

    def _visualise(self, runner, mode: str, batch_idx: int, outputs: Sequence) -> None:
        if batch_idx % self.interval or batch_idx // self.interval >= self.max_batches:
            return
        rows = [make_grid_row(s) for s in list(outputs)[: self.max_images]]
        if not rows:
            return
        grid = np.concatenate(rows, axis=0)
        step = runner.iter if mode == 'val' else batch_idx
        Visualizer.get_current_instance().add_image(
            f'{mode}_grid_{batch_idx}', grid, step=step
        )

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Write a grid for the selected validation batches."""
        self._visualise(runner, 'val', batch_idx, outputs or [])

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Write a grid for the selected test batches."""
        self._visualise(runner, 'test', batch_idx, outputs or [])


@HOOKS.register_module()
class SaveInpaintedImagesHook(Hook):
    """Write every test composite as ``<out_dir>/<image stem>.png`` (uint8, RGB).

    The files can be scored later with ``tools/evaluate_folder.py``.

    Args:
        out_dir (str): folder to write into; relative paths are taken under the
            runner's work dir.
        save_raw (bool): also write the raw generator output as
            ``<stem>_raw.png``. Defaults to False.
    """

    priority = 'LOW'

    def __init__(self, out_dir: str = 'results', save_raw: bool = False):
        self.out_dir = out_dir
        self.save_raw = save_raw

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Save the batch's composites."""
        out_dir = Path(runner.work_dir) / self.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        for i, sample in enumerate(outputs or []):
            stem = Path(sample.metainfo.get('img_path', f'{batch_idx}_{i}')).stem
            self._write(out_dir / f'{stem}.png', sample.pred_img)
            if self.save_raw:
                self._write(out_dir / f'{stem}_raw.png', sample.raw_img)

    @staticmethod
    def _write(path: Path, img: torch.Tensor) -> None:
        cv2.imwrite(str(path), cv2.cvtColor(to_uint8_hwc(img), cv2.COLOR_RGB2BGR))
