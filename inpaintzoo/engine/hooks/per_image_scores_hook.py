"""Write the per-image scores of a test run as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mmengine.dist import all_gather_object, get_world_size, is_main_process
from mmengine.hooks import Hook
from mmengine.hooks.hook import DATA_BATCH
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from inpaintzoo.evaluation.per_image import PerImageRecorder, write_scores_csv
from inpaintzoo.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


@HOOKS.register_module()
class PerImageScoresHook(Hook):
    """Write one CSV row per test image with the values the metrics averaged.

    Columns: ``stem``, ``mask_ratio`` (hole fraction), ``bucket`` (the one the
    metric used), then ``PSNR``, ``SSIM``, ``L1``, ``LPIPS`` (those the test
    evaluator computes per image) and ``excluded`` (``empty_mask`` for an image
    left out of every mean); a restorer's CSV (no masks) has only ``stem``
    (the dataset's unique name when it gives one, e.g. GoPro's
    ``<sequence>_<frame>``) and the metrics. Rows are read from the metrics'
    stored records after each batch
    (:class:`inpaintzoo.evaluation.per_image.PerImageRecorder`),
    so nothing is scored twice. Under DDP the rows of all ranks are gathered
    and rank 0 writes them in dataset order.

    Args:
        out_file (str): CSV path; relative paths are taken under the runner's
            work dir.
    """

    priority = 'LOW'

    def __init__(self, out_file: str = 'per_image_scores.csv') -> None:
        self.out_file = out_file
        self._recorder: PerImageRecorder | None = None
        self._indices: list[int] = []

    def before_test_epoch(self, runner: Runner) -> None:
        """Start recording from the test evaluator's metrics."""
        self._recorder = PerImageRecorder(runner.test_loop.evaluator.metrics)
        self._indices = []

    def after_test_iter(
        self,
        runner: Runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence[BaseDataElement] | None = None,
    ) -> None:
        """Read the records the metrics stored for this batch."""
        if self._recorder is None or not outputs:
            return
        self._recorder.collect(outputs)
        start = len(self._indices)
        for i, sample in enumerate(outputs):
            idx = (
                sample.metainfo.get('sample_idx')
                if hasattr(sample, 'metainfo')
                else None
            )
            self._indices.append(int(idx) if idx is not None else start + i)

    def after_test_epoch(
        self, runner: Runner, metrics: dict[str, float] | None = None
    ) -> None:
        """Write the CSV (rank 0) and log its path."""
        if self._recorder is None:
            return
        rows = list(zip(self._indices, self._recorder.rows, strict=True))
        if get_world_size() > 1:
            rows = [r for part in all_gather_object(rows) for r in part]
            unique = {idx: row for idx, row in reversed(rows)}  # drop sampler padding
            rows = sorted(unique.items())
        self._recorder = None
        if not is_main_process():
            return
        path = Path(self.out_file)
        if not path.is_absolute():
            path = Path(runner.work_dir) / path
        write_scores_csv([row for _, row in rows], path)
        print_log(
            f'per-image scores of {len(rows)} image(s) written to {path}',
            logger='current',
        )
