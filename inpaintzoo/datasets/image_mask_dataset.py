"""Images from a folder or flist, optionally paired with fixed mask files."""

import logging
import os
from collections.abc import Callable, Sequence

from mmengine.logging import print_log

from inpaintzoo.datasets.crop_check import CropCheckedDataset
from inpaintzoo.datasets.file_list import list_source
from inpaintzoo.datasets.masks.bucket import BUCKET_LABELS, mask_bucket
from inpaintzoo.datasets.transforms.functional import read_mask
from inpaintzoo.registry import DATASETS
from inpaintzoo.utils.errors import ConfigError, DataNotFoundError, ImageReadError
from inpaintzoo.utils.mask import MaskConvention

MASK_MODES = (None, 'paired', 'paired_per_bucket')
#: how paired masks are matched to images: ``'index'`` needs a mask per image,
#: ``'cyclic'`` reuses masks (image i gets mask i mod n), as the official test does
MASK_PAIRINGS = ('index', 'cyclic')
#: the hole-ratio buckets of the thesis tables
PAPER_BUCKETS = ('0.01-20%', '20-40%', '40-60%')
#: how many missing landmark stems a load error lists (the count is always given)
MISSING_LISTED = 10
#: extension of the landmark files (``<landmark_source>/<image stem>.txt``)
LANDMARK_EXT = '.txt'


@DATASETS.register_module()
class ImageMaskDataset(CropCheckedDataset):
    """Image files, optionally paired by index with mask files.

    ``img_source`` / ``mask_source`` is a folder (listed recursively, .jpg,
    .jpeg, .png, .bmp, .webp, sorted) or a ``.flist`` file (one path per line, its
    order kept). Relative sources are joined with ``data_root``.

    Mask modes:

    * ``mask_source=None``: no mask file; a mask source transform in the pipeline
      (``FreeFormMask``, ``RandomMaskFromFiles``, ``BoxMask``) supplies the mask.
    * ``mask_mode='paired'`` (the test protocol, official mode 6): image ``i``
      gets mask ``i`` (``i mod n_masks`` with ``mask_pairing='cyclic'``),
      fixed for every epoch.
    * ``mask_mode='paired_per_bucket'``: ``mask_source`` is a folder of
      bucket-named subfolders (``0.01-20%/``, ``20-40%/``, ``40-60%/``, the
      layout ``sort_masks_by_ratio`` writes); the image list is paired by index
      with each bucket's masks in turn, so one test run covers every bucket (the
      thesis tables ran the test once per bucket folder).

    Mask pairing (both paired modes; each bucket's mask set separately):

    * ``mask_pairing='index'`` (default): image ``i`` gets mask ``i``. A mask
      set with fewer masks than images is a :class:`ConfigError` naming both
      sources and counts (extra masks are left unused).
    * ``mask_pairing='cyclic'``: image ``i`` gets mask ``i mod n_masks``, the
      official test (mask mode 6), which reuses masks when there are fewer masks
      than images (e.g. Places2's 36,500 validation images against the NVIDIA
      test masks). The configs that reproduce the official protocol set it;
      reuse is logged as one warning line with both counts.

    Landmarks (NCLG-MT): with ``landmark_source``, a folder of one-line landmark
    files ``<landmark_source>/<image stem>.txt`` (136 numbers ``x0 y0 ... x67 y67``
    in the image's pixels, :mod:`inpaintzoo.datasets.face_landmarks`), each
    data info also holds ``landmark_path``; ``LoadLandmarks`` reads it. Every
    image must have its file: missing ones are found when the dataset loads (a
    :class:`DataNotFoundError` listing the first few stems and the count), not
    mid-training. Files are matched by the image's file stem, so two images
    with the same stem in different subfolders are refused.

    Each data info holds ``img_path``, ``mask_path`` (or None), ``mask_bucket``
    and ``sample_idx``. ``mask_bucket`` is the bucket label of the mask's parent
    folder when that folder is named like one (e.g. ``masks/20-40%/x.png``, the
    layout ``sort_masks_by_ratio`` writes), else computed once per mask file from
    the binarised file at its own resolution, else None.

    Args:
        img_source (str): image folder or ``.flist``.
        mask_source (str, optional): mask folder or ``.flist``. Defaults to None.
        mask_mode (str, optional): ``'paired'`` or ``'paired_per_bucket'``;
            defaults to ``'paired'`` when ``mask_source`` is given.
        buckets (Sequence[str], optional): bucket subfolders used by
            ``'paired_per_bucket'``; defaults to the thesis buckets
            ``('0.01-20%', '20-40%', '40-60%')``.
        mask_pairing (str): ``'index'`` or ``'cyclic'`` (see above). Defaults
            to ``'index'``.
        data_root (str): root joined with relative sources. Defaults to ''.
        numeric_sort (bool): sort folder listings with digit runs compared as
            numbers (``'2.jpg' < '10.jpg'``, the CelebA-HQ numeric order; for
            zero-padded names identical to plain sorting). False gives plain
            lexicographic order. Flists keep their order. Defaults to True.
        flist_root (str, optional): folder that relative flist entries are
            resolved against. Defaults to None (each flist's own folder).
        mask_convention (str): convention used to compute ``mask_bucket``.
            Defaults to ``'white_hole'``.
        mask_threshold (float): threshold used to compute ``mask_bucket``.
            Defaults to 0.
        pipeline (Sequence[dict | Callable], optional): transforms. Defaults to
            None (no transform).
        test_mode (bool): see ``BaseDataset``. Defaults to False.
        lazy_init (bool): see ``BaseDataset``. Defaults to False.
        indices (int | Sequence[int], optional): see ``BaseDataset``.
        serialize_data (bool): see ``BaseDataset``. Defaults to True.
        max_refetch (int): see ``BaseDataset``. Defaults to 1000.
        metainfo (dict, optional): see ``BaseDataset``.
        landmark_source (str, optional): folder of ``<image stem>.txt``
            landmark files; relative to ``data_root`` like the other sources.
            Defaults to None (no landmarks).

    Raises:
        ImageReadError: a source is missing, a folder has no images, or a flist
            names a missing file.
        DataNotFoundError: the landmark folder or some images' landmark files
            are missing.
        ConfigError: an unknown ``mask_mode`` or ``mask_pairing``, (with
            ``mask_pairing='index'``) fewer masks than images, or (with
            ``landmark_source``) two images sharing a file stem.
    """

    def __init__(
        self,
        img_source: str,
        mask_source: str | None = None,
        mask_mode: str | None = None,
        buckets: Sequence[str] | None = None,
        mask_pairing: str = 'index',
        data_root: str = '',
        numeric_sort: bool = True,
        flist_root: str | None = None,
        mask_convention: MaskConvention = 'white_hole',
        mask_threshold: float = 0,
        pipeline: Sequence[dict | Callable] | None = None,
        test_mode: bool = False,
        lazy_init: bool = False,
        indices: int | Sequence[int] | None = None,
        serialize_data: bool = True,
        max_refetch: int = 1000,
        metainfo: dict | None = None,
        landmark_source: str | None = None,
    ) -> None:
        if mask_mode is None and mask_source is not None:
            mask_mode = 'paired'
        if mask_mode not in MASK_MODES:
            raise ConfigError(
                f'ImageMaskDataset: mask_mode must be one of {MASK_MODES}, got '
                f'{mask_mode!r} (random masks come from a pipeline transform)'
            )
        if mask_mode is not None and mask_source is None:
            raise ConfigError(
                f'ImageMaskDataset: mask_mode={mask_mode!r} needs mask_source'
            )
        if mask_pairing not in MASK_PAIRINGS:
            raise ConfigError(
                f'ImageMaskDataset: mask_pairing must be one of {MASK_PAIRINGS}, '
                f'got {mask_pairing!r}'
            )
        self.mask_mode = mask_mode
        self.mask_pairing = mask_pairing
        self.buckets = tuple(buckets) if buckets is not None else PAPER_BUCKETS
        unknown = [b for b in self.buckets if b not in BUCKET_LABELS]
        if unknown:
            raise ConfigError(
                f'ImageMaskDataset: unknown buckets {unknown}; known: {BUCKET_LABELS}'
            )
        self.numeric_sort = numeric_sort
        self.flist_root = flist_root
        self.mask_convention = mask_convention
        self.mask_threshold = mask_threshold
        prefix = {'img_path': img_source}
        if mask_source is not None:
            prefix['mask_path'] = mask_source
        if landmark_source is not None:
            prefix['landmark_path'] = landmark_source
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=prefix,
            indices=indices,
            serialize_data=serialize_data,
            pipeline=list(pipeline) if pipeline is not None else [],
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch,
        )

    def _bucket_of(self, mask_path: str) -> str | None:
        folder = os.path.basename(os.path.dirname(mask_path))
        if folder in BUCKET_LABELS:
            return folder
        return mask_bucket(
            read_mask(mask_path, self.mask_convention, self.mask_threshold)
        )

    def load_data_list(self) -> list[dict]:
        """List the images (and paired masks, landmark files) into data infos."""
        data_list = self._list_images_and_masks()
        if 'landmark_path' in self.data_prefix:
            self._attach_landmarks(data_list)
        return data_list

    def _attach_landmarks(self, data_list: list[dict]) -> None:
        """Set each info's ``landmark_path``; refuse missing files up front."""
        folder = self.data_prefix['landmark_path']
        if not os.path.isdir(folder):
            raise DataNotFoundError(
                f'ImageMaskDataset: landmark folder {folder} (landmark_source) does '
                'not exist; write it with tools/dataset_converters/prepare_landmarks.py'
            )
        stems: dict[str, str] = {}
        for info in data_list:
            img_path = info['img_path']
            stem = os.path.splitext(os.path.basename(img_path))[0]
            other = stems.setdefault(stem, img_path)
            if other != img_path:
                raise ConfigError(
                    f'ImageMaskDataset: images {other} and {img_path} share the stem '
                    f'{stem!r}, so they would share the landmark file '
                    f'{os.path.join(folder, stem + LANDMARK_EXT)}; rename one'
                )
            info['landmark_path'] = os.path.join(folder, stem + LANDMARK_EXT)
        present = set(os.listdir(folder))
        missing = [s for s in stems if s + LANDMARK_EXT not in present]
        if missing:
            shown = ', '.join(missing[:MISSING_LISTED])
            more = ', ...' if len(missing) > MISSING_LISTED else ''
            raise DataNotFoundError(
                f'ImageMaskDataset: {len(missing)} of {len(stems)} images have no '
                f'landmark file in {folder} (expected <image stem>{LANDMARK_EXT}); '
                f'missing stems: {shown}{more}. Write them with '
                'tools/dataset_converters/prepare_landmarks.py, or drop those images '
                'from the image list'
            )

    def _list_images_and_masks(self) -> list[dict]:
        """List the images (and paired masks) into data infos."""
        img_paths = list_source(
            self.data_prefix['img_path'], self.numeric_sort, self.flist_root
        )
        if self.mask_mode is None:
            return [
                dict(img_path=p, mask_path=None, mask_bucket=None, sample_idx=i)
                for i, p in enumerate(img_paths)
            ]
        root = self.data_prefix['mask_path']
        if self.mask_mode == 'paired':
            sources = [root]
            mask_sets = [list_source(root, self.numeric_sort, self.flist_root)]
        else:
            sources = [os.path.join(root, label) for label in self.buckets]
            mask_sets = [self._bucket_masks(root, label) for label in self.buckets]
        self._check_mask_counts(len(img_paths), sources, mask_sets)
        data_list: list[dict] = []
        bucket_cache: dict[str, str | None] = {}
        for mask_paths in mask_sets:
            for i, img_path in enumerate(img_paths):
                mask_path = mask_paths[i % len(mask_paths)]
                if mask_path not in bucket_cache:
                    bucket_cache[mask_path] = self._bucket_of(mask_path)
                data_list.append(
                    dict(
                        img_path=img_path,
                        mask_path=mask_path,
                        mask_bucket=bucket_cache[mask_path],
                        sample_idx=len(data_list),
                    )
                )
        return data_list

    def _check_mask_counts(
        self, n_images: int, sources: list[str], mask_sets: list[list[str]]
    ) -> None:
        """Refuse (``'index'``) or log (``'cyclic'``) mask sets shorter than needed."""
        short = [
            f'{len(paths)} masks in {src}'
            for src, paths in zip(sources, mask_sets, strict=True)
            if len(paths) < n_images
        ]
        if not short:
            return
        images = f'{n_images} images in {self.data_prefix["img_path"]}'
        if self.mask_pairing == 'cyclic':
            print_log(
                f"ImageMaskDataset: mask_pairing='cyclic' reuses masks (image i "
                f'gets mask i mod n_masks): {images}, {"; ".join(short)}',
                logger='current',
                level=logging.WARNING,
            )
            return
        raise ConfigError(
            f'ImageMaskDataset: {images} but only {"; ".join(short)}. Provide at '
            "least one mask per image, or set mask_pairing='cyclic' to reuse masks "
            'as the official test does (image i gets mask i mod n_masks)'
        )

    def _bucket_masks(self, root: str, label: str) -> list[str]:
        folder = os.path.join(root, label)
        if not os.path.isdir(folder):
            raise ImageReadError(
                f"mask_mode='paired_per_bucket': bucket folder {folder} is missing "
                '(sort the masks with tools/dataset_converters/sort_masks_by_ratio.py '
                'or restrict `buckets`)'
            )
        return list_source(folder, self.numeric_sort, self.flist_root)
