"""Progress of a test run: the total at the start, then images done, rate and ETA."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mmengine.hooks import Hook
from mmengine.hooks.hook import DATA_BATCH
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from inpaintzoo.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


def _len_or_none(obj: object) -> int | None:
    try:
        return len(obj)  # type: ignore[arg-type]
    except TypeError:
        return None


def format_duration(seconds: float) -> str:
    """``75.4`` -> ``'1:15'``; ``3725`` -> ``'1:02:05'``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}' if hours else f'{minutes}:{secs:02d}'


@HOOKS.register_module()
class TestProgressHook(Hook):
    """Log how many test images there are, then progress every few batches.

    ``before_test_epoch`` logs ``test: 600 image(s) in 600 batch(es)``;
    afterwards one line per ``interval`` batches (and after the last one):
    ``test: 120/600 images (20%), 13.6 img/s, elapsed 0:09, ETA 0:35``. Under
    DDP the counts are this rank's share (only rank 0 logs to the console).

    Args:
        interval (int, optional): batches between lines. Defaults to ``None``:
            about every 5 % of the run (at least every batch).
    """

    priority = 'BELOW_NORMAL'
    __test__ = False  # not a pytest test class despite the name

    def __init__(self, interval: int | None = None) -> None:
        if interval is not None and interval < 1:
            raise ValueError(f'TestProgressHook.interval must be >= 1, got {interval}')
        self.interval = interval
        self._every = 1
        self._batches: int | None = None
        self._images: int | None = None
        self._done = 0
        self._start = 0.0

    def before_test_epoch(self, runner: Runner) -> None:
        """Log the number of images and batches about to be tested."""
        loader = runner.test_loop.dataloader
        self._batches = _len_or_none(loader)
        sampler = getattr(loader, 'sampler', None)
        self._images = _len_or_none(sampler) if sampler is not None else None
        if self._images is None:
            self._images = _len_or_none(getattr(loader, 'dataset', None))
        self._every = self.interval or max(1, (self._batches or 20) // 20)
        self._done, self._start = 0, time.perf_counter()
        images = '?' if self._images is None else self._images
        batches = '?' if self._batches is None else self._batches
        print_log(f'test: {images} image(s) in {batches} batch(es)', logger='current')

    def after_test_iter(
        self,
        runner: Runner,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: Sequence[BaseDataElement] | None = None,
    ) -> None:
        """Log images done, rate and ETA every ``interval`` batches and at the end."""
        self._done += len(outputs) if outputs is not None else 1
        last = self._batches is not None and batch_idx + 1 >= self._batches
        if (batch_idx + 1) % self._every and not last:
            return
        print_log(
            self.progress_line(time.perf_counter() - self._start), logger='current'
        )

    def progress_line(self, elapsed: float) -> str:
        """The progress message for ``elapsed`` seconds since the start."""
        rate = self._done / elapsed if elapsed > 0 else float('inf')
        line = f'test: {self._done}'
        if self._images:
            pct = 100 * self._done / self._images
            line += f'/{self._images} images ({pct:.0f}%)'
        else:
            line += ' images'
        line += f', {rate:.1f} img/s, elapsed {format_duration(elapsed)}'
        if self._images and rate not in (0, float('inf')):
            eta = max(0, self._images - self._done) / rate
            line += f', ETA {format_duration(eta)}'
        return line
