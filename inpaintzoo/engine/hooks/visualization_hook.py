"""Hooks that write inpainting results as images."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.hooks.hook import DATA_BATCH
from mmengine.model import is_model_wrapper
from mmengine.structures import BaseDataElement
from mmengine.visualization import Visualizer

from inpaintzoo.evaluation.per_image import sample_stem
from inpaintzoo.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.evaluator import Evaluator
    from mmengine.runner import BaseLoop, Runner
    from torch.utils.data import Dataset

    from inpaintzoo.structures import InpaintSample

#: tile titles of a grid row, left to right (see :func:`make_grid_row`)
GRID_COLUMNS: tuple[str, ...] = ('input', 'mask', 'output', 'composite', 'truth')
_SEP = 2  # white separator width (pixels)


def built_train_iter(runner: Runner) -> int:
    """The training iteration if the train loop exists, else 0, building nothing.

    ``Runner.iter`` builds ``train_loop`` (and the training dataset) on first
    access, so calling it at the end of ``tools/test.py`` (or ``runner.val()``)
    would need the training data. Read the loop only when training built it.

    Args:
        runner (Runner): the running runner.

    Returns:
        int: ``runner.train_loop.iter`` during training, 0 in test/val-only runs.
    """
    loop = getattr(runner, '_train_loop', None)  # a config dict until built
    return 0 if loop is None or isinstance(loop, dict) else int(loop.iter)


def evaluator_quantize(evaluator: Evaluator) -> str:
    """How the evaluator's metrics turn floats into 8-bit values.

    Args:
        evaluator (Evaluator): its ``metrics`` are read.

    Returns:
        str: the first metric's ``quantize`` (``'round'`` or ``'truncate'``);
        ``'truncate'`` (the inpainting metrics' official rule) when none says.
    """
    for metric in getattr(evaluator, 'metrics', []):
        rule = getattr(metric, 'quantize', None)
        if rule in ('round', 'truncate'):
            return rule
    return 'truncate'


#: path fields a saved result is named after, in order (a restorer's ``'sharp'``
#: mode has no ``img_path``)
STEM_KEYS = ('img_path', 'gt_path')


def stems_repeat(dataset: Dataset) -> bool:
    """Whether two samples of ``dataset`` share an image file stem.

    Reads the data infos only (no image is loaded); a dataset without
    ``get_data_info`` counts as repeating, the safe layout.

    Args:
        dataset (Dataset): a test dataset (``BaseDataset``, ``ConcatDataset``...).

    Returns:
        bool: True when a stem occurs more than once.
    """
    get_info = getattr(dataset, 'get_data_info', None)
    if get_info is None:
        return True
    stems = [sample_stem(get_info(i), str(i), STEM_KEYS) for i in range(len(dataset))]
    return len(set(stems)) < len(stems)


def to_uint8_hwc(img: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8 RGB (rounded)."""
    arr = img.detach().float().clamp(0, 1).mul(255).round().byte()
    return arr.permute(1, 2, 0).cpu().numpy()


def masked_input(
    img: torch.Tensor, mask: torch.Tensor, fill_value: float = 1.0
) -> torch.Tensor:
    """The image as the generator sees it: holes set to ``fill_value``.

    Args:
        img (Tensor): (3, H, W) clean image in [0, 1].
        mask (Tensor): (1, H, W), 1 = hole.
        fill_value (float): the generator's hole fill (``InpaintUNet.fill_value``,
            1.0 = white in every shipped model). Defaults to 1.0.

    Returns:
        Tensor: (3, H, W) ``img * (1 - mask) + fill_value * mask``.
    """
    return img * (1 - mask) + mask * fill_value


def make_grid_row(sample: InpaintSample, fill_value: float = 1.0) -> np.ndarray:
    """One row ``input | mask | output | composite | truth`` (:data:`GRID_COLUMNS`).

    ``input`` is the masked image the generator receives (holes filled with
    ``fill_value``), ``mask`` shows holes white, ``output`` is the raw generator
    output, ``composite`` pastes it into the holes of the ground truth, ``truth``
    is the clean image.

    Args:
        sample (InpaintSample): with ``gt_img``, ``mask``, ``raw_img`` and
            ``pred_img`` ((3, H, W) / (1, H, W) floats in [0, 1]).
        fill_value (float): the generator's hole fill. Defaults to 1.0.

    Returns:
        np.ndarray: (H, 5 * W + 8, 3) uint8 RGB with 2-pixel white separators.
    """
    gt, mask = sample.gt_img, sample.mask
    tiles = [
        to_uint8_hwc(t)
        for t in (
            masked_input(gt, mask, fill_value),
            mask.expand_as(gt),
            sample.raw_img,
            sample.pred_img,
            gt,
        )
    ]
    sep = np.full((gt.shape[1], _SEP, 3), 255, np.uint8)
    row = [tiles[0]]
    for tile in tiles[1:]:
        row += [sep, tile]
    return np.concatenate(row, axis=1)


def grid_header(tile_width: int, height: int = 14) -> np.ndarray:
    """A white strip with the :data:`GRID_COLUMNS` titles over each tile.

    Returns:
        np.ndarray: (height, 5 * tile_width + 8, 3) uint8 RGB.
    """
    n = len(GRID_COLUMNS)
    header = np.full((height, n * tile_width + (n - 1) * _SEP, 3), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    widest = max(cv2.getTextSize(t, font, 1.0, 1)[0][0] for t in GRID_COLUMNS)
    scale = min(0.4, (tile_width - 2) / widest, (height - 4) / 22)
    for i, title in enumerate(GRID_COLUMNS):
        (w, h), _ = cv2.getTextSize(title, font, scale, 1)
        x = i * (tile_width + _SEP) + max(0, (tile_width - w) // 2)
        cv2.putText(header, title, (x, (height + h) // 2), font, scale, (0, 0, 0), 1)
    return header


def evenly_spaced(total: int, count: int) -> set[int]:
    """``count`` positions spread evenly over ``range(total)`` (all if fewer)."""
    if total <= count:
        return set(range(total))
    return set(np.linspace(0, total - 1, count).round().astype(int).tolist())


@HOOKS.register_module()
class InpaintVisualizationHook(Hook):
    """Write one ``input | mask | output | composite | truth`` grid per val/test run.

    Rows are ``max_images`` samples spread evenly over the run's data set (all
    of them when it has at most ``max_images``; with ``ConcatDataset`` test sets
    of one part per hole-ratio bucket this shows every bucket). The val grid
    comes from the val dataloader, the test grid from the test dataloader. A
    title strip names the columns; ``input`` is the masked image the generator
    sees. Under DDP each rank picks from its own share and rank 0's grid is
    written.

    Grids go through the current :class:`Visualizer`; with ``LocalVisBackend``
    they are ``<work_dir>/<timestamp>/vis_data/vis_image/val_grid_<iter>.png``
    and ``.../test_grid_<iter>.png`` (``<iter>`` is 0 in a test-only run: the
    hook never builds the train loop, so ``tools/test.py`` needs no training
    data).

    Args:
        max_images (int): rows per grid. Defaults to 8.
    """

    priority = 'LOW'

    def __init__(self, max_images: int = 8) -> None:
        if max_images < 1:
            raise ValueError(f'max_images must be >= 1, got {max_images}')
        self.max_images = max_images
        self._rows: list[np.ndarray] = []
        self._seen = 0
        self._chosen: set[int] = set()

    @staticmethod
    def _fill_value(runner: Runner) -> float:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        return float(getattr(getattr(model, 'generator', None), 'fill_value', 1.0))

    def _start(self, loop: BaseLoop) -> None:
        loader = getattr(loop, 'dataloader', None)
        sampler = getattr(loader, 'sampler', None)
        try:
            total = len(sampler) if sampler is not None else len(loader.dataset)
        except TypeError:  # a sampler without a length: the first rows
            total = self.max_images
        self._chosen = evenly_spaced(total, self.max_images)
        self._rows, self._seen = [], 0

    def _collect(self, runner: Runner, outputs: Sequence[InpaintSample]) -> None:
        fill = self._fill_value(runner)
        for sample in outputs:
            if self._seen in self._chosen:
                self._rows.append(make_grid_row(sample, fill))
            self._seen += 1

    def _write(self, runner: Runner, mode: str) -> None:
        if not self._rows:
            return
        tile_width = self._rows[0].shape[0]
        grid = np.concatenate([grid_header(tile_width), *self._rows], axis=0)
        Visualizer.get_current_instance().add_image(
            f'{mode}_grid', grid, step=built_train_iter(runner)
        )
        self._rows = []

    def before_val_epoch(self, runner: Runner) -> None:
        """Pick the rows of this validation run."""
        self._start(runner.val_loop)

    def before_test_epoch(self, runner: Runner) -> None:
        """Pick the rows of this test run."""
        self._start(runner.test_loop)

    def after_val_iter(
        self,
        runner: Runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence[BaseDataElement] | None = None,
    ) -> None:
        """Keep the chosen samples of the batch."""
        self._collect(runner, outputs or [])

    def after_test_iter(
        self,
        runner: Runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence[BaseDataElement] | None = None,
    ) -> None:
        """Keep the chosen samples of the batch."""
        self._collect(runner, outputs or [])

    def after_val_epoch(
        self, runner: Runner, metrics: dict[str, float] | None = None
    ) -> None:
        """Write ``val_grid_<iter>``."""
        self._write(runner, 'val')

    def after_test_epoch(
        self, runner: Runner, metrics: dict[str, float] | None = None
    ) -> None:
        """Write ``test_grid_<iter>``."""
        self._write(runner, 'test')


@HOOKS.register_module()
class SaveInpaintedImagesHook(Hook):
    """Write every test composite as ``<out_dir>/<image stem>.png`` (uint8, RGB).

    The pixels are exactly the uint8 values PSNR/SSIM scored: the composite is
    quantised as the test evaluator's metric does, by default with the
    inpainting metrics' :func:`quantize_official` (clamp, ×255 in float32,
    **truncate**); a metric with ``quantize='round'`` (a restorer's
    :class:`RestorationMetric`) gets rounded pixels. Re-scoring the folder with
    ``tools/evaluate_folder.py`` therefore gives the test loop's PSNR and SSIM
    (to the last bit when the GT and masks are the ones the model saw: pass
    ``save_inputs=True``); L1 differs slightly, see ``docs/evaluation.md``.

    A test set that scores an image more than once (the paper configs: every
    image once per hole-ratio bucket) gets one sub-folder per bucket,
    ``<out_dir>/<bucket>/<stem>.png`` (with its own ``gt/`` and ``masks/``), so
    no result overwrites another; samples without a bucket (a restorer's) stay
    in ``<out_dir>``. A sample's stem is its dataset's ``stem`` when it has one
    (GoPro: ``<sequence>_<frame>``), else its image file's. A name that would
    still repeat gets ``_<sample_idx>`` appended.

    Args:
        out_dir (str): folder to write into; relative paths are taken under the
            runner's work dir.
        save_raw (bool): also write the raw generator output as
            ``<stem>_raw.png``. Defaults to False.
        save_inputs (bool): also write the GT the metric scored (after the
            pipeline's crop/resize, quantised the same way) as
            ``<out_dir>/gt/<stem>.png`` and the binary mask (255 = hole) as
            ``<out_dir>/masks/<stem>.png``. Defaults to False.
    """

    priority = 'LOW'

    def __init__(
        self,
        out_dir: str = 'results',
        save_raw: bool = False,
        save_inputs: bool = False,
    ) -> None:
        self.out_dir = out_dir
        self.save_raw = save_raw
        self.save_inputs = save_inputs
        self.by_bucket = False
        self._written: set[Path] = set()
        self.quantize = 'truncate'

    def before_test(self, runner: Runner) -> None:
        """Choose the layout: per-bucket folders when image stems repeat."""
        self.by_bucket = stems_repeat(runner.test_dataloader.dataset)
        self._written = set()
        self.quantize = evaluator_quantize(runner.test_evaluator)

    def after_test_iter(
        self,
        runner: Runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence[BaseDataElement] | None = None,
    ) -> None:
        """Save the batch's composites."""
        root = Path(runner.work_dir) / self.out_dir
        for i, sample in enumerate(outputs or []):
            meta = sample.metainfo
            out_dir = root
            if self.by_bucket and meta.get('mask_bucket'):
                out_dir = root / str(meta['mask_bucket'])
            stem = sample_stem(meta, f'{batch_idx}_{i}', STEM_KEYS)
            if out_dir / f'{stem}.png' in self._written:
                stem = f'{stem}_{meta.get("sample_idx", f"{batch_idx}_{i}")}'
            self._written.add(out_dir / f'{stem}.png')
            out_dir.mkdir(parents=True, exist_ok=True)
            self._write(out_dir / f'{stem}.png', sample.pred_img)
            if self.save_raw:
                self._write(out_dir / f'{stem}_raw.png', sample.raw_img)
            if self.save_inputs:
                for sub in ('gt', 'masks'):
                    (out_dir / sub).mkdir(exist_ok=True)
                self._write(out_dir / 'gt' / f'{stem}.png', sample.gt_img)
                hole = (sample.mask[0] > 0).cpu().numpy().astype(np.uint8) * 255
                cv2.imwrite(str(out_dir / 'masks' / f'{stem}.png'), hole)

    def _write(self, path: Path, img: torch.Tensor) -> None:
        """Write (3, H, W) float [0, 1] as the uint8 PNG the metric scores."""
        from inpaintzoo.evaluation.functional import chw_to_hwc, quantize_official
        from inpaintzoo.evaluation.metrics.restoration_metric import quantize_round

        quant = quantize_round if self.quantize == 'round' else quantize_official
        rgb = quant(chw_to_hwc(img.detach().float().cpu()))
        cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
