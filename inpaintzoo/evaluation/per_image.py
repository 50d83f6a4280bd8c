"""Per-image scores: read them off the metrics as samples are processed, write CSV.

The metric classes store one record per processed sample (PSNR/SSIM/L1 or
LPIPS scalars and the bucket, or an exclusion record for an empty mask) and
average them only at the end. :class:`PerImageRecorder` reads the records that
each metric appended for a batch, pairs them with the batch's samples and
keeps one row per image, so the per-image values are exactly the ones that
enter the means. The test-loop hook and ``evaluate_folder`` share it.
"""

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .report import METRIC_ORDER

#: leading CSV columns; metrics follow (:data:`METRIC_ORDER`), then ``excluded``.
ID_COLUMNS = ('stem', 'mask_ratio', 'bucket')
EXCLUDED_COLUMN = 'excluded'


def _field(sample: object, key: str) -> object:
    """``sample[key]`` for a dict, else the data element's field or metainfo."""
    if isinstance(sample, dict):
        return sample.get(key)
    if key in getattr(sample, 'metainfo', {}):
        return sample.metainfo[key]
    return getattr(sample, key, None)


def sample_stem(
    sample: object, fallback: str, keys: Sequence[str] = ('img_path',)
) -> str:
    """A sample's name: its ``stem`` field, else the file stem of a path field.

    A dataset whose file names repeat across folders (GoPro numbers the frames
    of each sequence from 1) gives each sample a unique ``stem``
    (``GOPR0384_11_00_000001``, :class:`~inpaintzoo.datasets.PairedImageDataset`);
    otherwise the stem of the first path field of ``keys`` the sample has is used,
    else ``fallback``. ``keys=('img_path', 'gt_path')`` also names a restorer's
    sample in its ``'sharp'`` mode, which has no degraded file (``img_path`` None).
    """
    stem = _field(sample, 'stem')
    if stem:
        return str(stem)
    path = next((p for p in (_field(sample, k) for k in keys) if p), None)
    return Path(str(path)).stem if path else fallback


def mask_ratio(sample: object) -> float:
    """Hole ratio of a sample's ``mask`` ((1, H, W), 1 = hole); NaN without one.

    The same float64 ``count_nonzero / size`` the bucket is chosen from
    (:func:`~inpaintzoo.datasets.masks.bucket.hole_ratio`).
    """
    from inpaintzoo.datasets.masks.bucket import hole_ratio

    mask = _field(sample, 'mask')
    return math.nan if mask is None else hole_ratio(mask)


def _is_scalar(value: object) -> bool:
    return isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


class PerImageRecorder:
    """Collect one row of scores per image from metrics' stored records.

    Call :meth:`collect` right after the metrics processed a batch (the test
    loop's ``after_test_iter``, or after ``Evaluator.process`` in a script):
    each metric must have appended exactly one record per sample.

    Args:
        metrics (Sequence[BaseMetric]): the evaluator's metrics (``results``
            lists are read, never changed).
    """

    def __init__(self, metrics: Sequence) -> None:
        self.metrics = list(metrics)
        self._seen = [len(m.results) for m in self.metrics]
        self.rows: list[dict] = []

    def collect(self, samples: Sequence, stems: Sequence[str] | None = None) -> None:
        """Add the rows of a batch just processed by the metrics.

        Args:
            samples (Sequence): the batch's samples (dicts or data elements
                with ``img_path`` and ``mask`` of shape (1, H, W)).
            stems (Sequence[str], optional): row names; default: the stem of
                each sample's ``img_path``.

        Raises:
            RuntimeError: if a metric did not store one record per sample.
        """
        new = []
        for i, metric in enumerate(self.metrics):
            records = metric.results[self._seen[i] :]
            if len(records) != len(samples):
                raise RuntimeError(
                    f'{type(metric).__name__} stored {len(records)} record(s) for a '
                    f'batch of {len(samples)} sample(s); per-image scores need one '
                    'record per sample'
                )
            self._seen[i] = len(metric.results)
            new.append(records)
        for j, sample in enumerate(samples):
            stem = stems[j] if stems else sample_stem(sample, str(len(self.rows)))
            row: dict = dict(stem=stem, mask_ratio=mask_ratio(sample), bucket='')
            for records in new:
                record = records[j]
                if EXCLUDED_COLUMN in record:
                    row[EXCLUDED_COLUMN] = record[EXCLUDED_COLUMN]
                    continue
                row['bucket'] = record.get('bucket') or row['bucket']
                row.update({k: float(v) for k, v in record.items() if _is_scalar(v)})
            self.rows.append(row)


def has_masks(rows: Sequence[dict]) -> bool:
    """Whether any row comes from a masked (inpainting) sample.

    True when a row has a finite ``mask_ratio``, a ``bucket`` or an ``excluded``
    mark; False for the rows of a restorer (no mask) and for no rows at all.
    """
    for row in rows:
        ratio = row.get('mask_ratio')
        if row.get('bucket') or row.get(EXCLUDED_COLUMN):
            return True
        if isinstance(ratio, (int, float)) and not math.isnan(ratio):
            return True
    return False


def write_scores_csv(rows: Sequence[dict], path: str | Path) -> Path:
    """Write per-image rows as CSV: stem, mask_ratio, bucket, metrics, excluded.

    Floats are written with ``repr`` (they read back bit-identical); an image
    excluded for an empty mask has empty metric cells and ``excluded`` set.
    Rows without any mask (a restorer's test, :func:`has_masks` False) get only
    ``stem`` and the metrics: the mask columns would be empty.

    Args:
        rows (Sequence[dict]): :attr:`PerImageRecorder.rows`.
        path (str | Path): output file; parent folders are created.

    Returns:
        Path: the written file.
    """
    names = {k for row in rows for k in row} - {*ID_COLUMNS, EXCLUDED_COLUMN}
    order = [m for m in METRIC_ORDER if m in names] + sorted(names - set(METRIC_ORDER))
    if rows and not has_masks(rows):
        columns = ['stem', *order]
    else:
        columns = [*ID_COLUMNS, *order, EXCLUDED_COLUMN]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open('w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction='ignore')
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
    return path


def _cell(value: object) -> str:
    if value is None:
        return ''
    if isinstance(value, float):
        return repr(value)
    return str(value)


def read_scores_csv(path: str | Path) -> list[dict]:
    """Read a :func:`write_scores_csv` file back.

    Numbers become floats; blank metric and ``excluded`` cells are left out.

    Args:
        path (str | Path): CSV file.

    Returns:
        list[dict]: one dict per image.
    """
    rows = []
    with Path(path).open(newline='') as f:
        for raw in csv.DictReader(f):
            row: dict = {}
            for key, value in raw.items():
                if key in ('stem', 'bucket'):
                    row[key] = value
                elif value != '':
                    row[key] = value if key == EXCLUDED_COLUMN else float(value)
            rows.append(row)
    return rows
