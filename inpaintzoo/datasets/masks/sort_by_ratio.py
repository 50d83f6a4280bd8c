"""Sort a folder of mask files into hole-ratio bucket folders."""

import os
import shutil
from pathlib import Path
from typing import Literal

from inpaintzoo.datasets.file_list import list_folder
from inpaintzoo.datasets.masks.bucket import BUCKET_LABELS, mask_bucket
from inpaintzoo.datasets.transforms.functional import read_mask
from inpaintzoo.utils.mask import MaskConvention

NO_HOLE_FOLDER = 'no-hole'


def sort_masks_by_ratio(
    mask_dir: str | Path,
    out_dir: str | Path,
    mode: Literal['copy', 'symlink'] = 'copy',
    convention: MaskConvention = 'white_hole',
    threshold: float = 0,
) -> dict[str, int]:
    """Copy or link every mask under ``mask_dir`` into ``out_dir/<bucket label>/``.

    The hole ratio is measured on the binarised file at its own resolution.
    Relative sub-folders are kept below the bucket folder; masks without any
    hole go to ``out_dir/no-hole/``.

    Args:
        mask_dir (str | Path): folder of mask images (searched recursively).
        out_dir (str | Path): output folder.
        mode (str): ``'copy'`` or ``'symlink'`` (absolute links). Defaults to
            ``'copy'``.
        convention (str): mask convention. Defaults to ``'white_hole'``.
        threshold (float): binarisation threshold. Defaults to 0.

    Returns:
        dict[str, int]: number of masks per bucket label (and ``'no-hole'``), in
        bucket order.
    """
    if mode not in ('copy', 'symlink'):
        raise ValueError(f"mode must be 'copy' or 'symlink', got {mode!r}")
    counts = dict.fromkeys((*BUCKET_LABELS, NO_HOLE_FOLDER), 0)
    for path in list_folder(mask_dir):
        label = mask_bucket(read_mask(path, convention, threshold)) or NO_HOLE_FOLDER
        target = Path(out_dir, label, os.path.relpath(path, mask_dir))
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        if mode == 'copy':
            shutil.copy2(path, target)
        else:
            target.symlink_to(os.path.abspath(path))
        counts[label] += 1
    return counts
