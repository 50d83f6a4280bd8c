"""Paired degraded / clean image datasets: GoPro, HIDE, generic folders.

Layouts (``layout=``), paths relative to ``data_root``:

``'gopro'`` (Nah et al. 2017, ``GOPRO_Large``)::

    <split>/<sequence>/blur/<name>.png      degraded input
    <split>/<sequence>/sharp/<name>.png     clean target (same name)

    ``split`` is ``'train'`` or ``'test'``; every sequence folder is used
    (``blur_gamma/`` folders are ignored).

``'hide'`` (Shen et al. 2019, ``HIDE_dataset``)::

    test/test-close-ups/<name>.png          degraded input
    test/test-long-shot/<name>.png
    GT/<name>.png                           clean target (same name)

    ``subsets`` picks the test folders (default both).

``'folders'``: ``blur_source`` and ``gt_source`` folders, paired by the path
relative to each folder (``a/1.png`` with ``a/1.png``).

``'sharp'``: only ``gt_source`` (clean images); the degraded input is made in the
pipeline (``RandomMotionBlur``), as the demo config does.

Each data info holds ``img_path`` (degraded; None for ``'sharp'``), ``gt_path``,
``sample_idx`` and ``stem``, the name of the pair's saved result and CSV row,
unique within a GoPro split (frames are numbered per sequence):

* ``'gopro'``: ``<sequence>_<name>`` (``GOPR0384_11_00_000001``);
* ``'hide'``: ``<name>`` (names are unique: they pair with ``GT/<name>``);
* ``'folders'`` / ``'sharp'``: the path relative to the (degraded / clean)
  folder without its suffix, ``/`` written ``_`` (``a/1.png`` -> ``a_1``).

Files are listed recursively (.jpg .jpeg .png .bmp .webp) and sorted with digit
runs compared as numbers.
"""

import os
from collections.abc import Callable, Sequence

from inpaintzoo.datasets.crop_check import CropCheckedDataset
from inpaintzoo.datasets.file_list import list_folder
from inpaintzoo.registry import DATASETS
from inpaintzoo.utils.errors import ConfigError, DataNotFoundError, FolderPairingError

LAYOUTS = ('gopro', 'hide', 'folders', 'sharp')
HIDE_SUBSETS = ('test-close-ups', 'test-long-shot')
_SHOW = 5  # unpaired names quoted in an error
#: where errors send the user for the data sets' sources and layout
DATA_DOCS = 'docs/data_preparation.md, "GoPro and HIDE"'


def pair_folders(blur_dir: str, gt_dir: str) -> list[tuple[str, str]]:
    """Pair the images of two folders by their path relative to each folder.

    Args:
        blur_dir (str): folder of degraded images.
        gt_dir (str): folder of clean images.

    Returns:
        list[tuple[str, str]]: ``(blur_path, gt_path)`` in the blur folder's
        sorted order.

    Raises:
        DataNotFoundError: a folder is missing or holds no image.
        FolderPairingError: a file of one folder has no partner in the other
            (the first few of each side are named).
    """
    for folder in (blur_dir, gt_dir):
        if not os.path.isdir(folder):
            raise DataNotFoundError(
                f'paired dataset: folder {folder} does not exist; check data_root '
                'and the layout (docs/deblurring.md)'
            )
    try:
        blur = list_folder(blur_dir)
        gt = list_folder(gt_dir)
    except OSError as err:
        raise DataNotFoundError(str(err)) from err
    blur_rel = {os.path.relpath(p, blur_dir): p for p in blur}
    gt_rel = {os.path.relpath(p, gt_dir): p for p in gt}
    no_gt = [r for r in blur_rel if r not in gt_rel]
    no_blur = [r for r in gt_rel if r not in blur_rel]
    if no_gt or no_blur:
        parts = []
        if no_gt:
            parts.append(
                f'{len(no_gt)} image(s) of {blur_dir} have no partner in {gt_dir}, '
                f'e.g. {no_gt[:_SHOW]}'
            )
        if no_blur:
            parts.append(
                f'{len(no_blur)} image(s) of {gt_dir} have no partner in {blur_dir}, '
                f'e.g. {no_blur[:_SHOW]}'
            )
        raise FolderPairingError(
            'unpaired files: ' + '; '.join(parts) + '. Degraded and clean images '
            'are paired by file name; remove or add the files named'
        )
    return [(p, gt_rel[r]) for r, p in blur_rel.items()]


def _subset_tuple(subsets: str | Sequence[str] | None) -> tuple[str, ...]:
    """HIDE subsets as a tuple: one string is one subset, None all of them."""
    if subsets is None:
        return HIDE_SUBSETS
    if isinstance(subsets, str):
        return (subsets,)
    if not isinstance(subsets, Sequence):
        raise ConfigError(
            'PairedImageDataset.subsets must be a folder name or a list of them, '
            f'got {type(subsets).__name__} {subsets!r}'
        )
    return tuple(subsets)


def relative_stem(path: str, folder: str) -> str:
    """``path`` relative to ``folder``, suffix dropped, separators as ``_``.

    Args:
        path (str): a file under ``folder``.
        folder (str): the folder it was listed from.

    Returns:
        str: e.g. ``'a_1'`` for ``<folder>/a/1.png``.
    """
    rel = os.path.splitext(os.path.relpath(path, folder))[0]
    return rel.replace(os.sep, '_').replace('/', '_')


@DATASETS.register_module()
class PairedImageDataset(CropCheckedDataset):
    """Degraded / clean image pairs (see the module docstring for the layouts).

    Args:
        layout (str): ``'gopro'``, ``'hide'``, ``'folders'`` or ``'sharp'``.
        data_root (str): dataset root. Defaults to ''.
        split (str): GoPro split folder, ``'train'`` or ``'test'``. Defaults to
            ``'test'``.
        subsets (str | Sequence[str], optional): HIDE test folder(s); one name
            is one folder. Defaults to ``('test-close-ups', 'test-long-shot')``.
        blur_source (str, optional): ``'folders'``: degraded image folder.
        gt_source (str, optional): ``'folders'`` / ``'sharp'``: clean folder.
        pipeline (Sequence[dict | Callable], optional): transforms.
        test_mode (bool): see ``BaseDataset``. Defaults to False.
        lazy_init (bool): see ``BaseDataset``. Defaults to False.
        indices (int | Sequence[int], optional): see ``BaseDataset``.
        serialize_data (bool): see ``BaseDataset``. Defaults to True.
        max_refetch (int): see ``BaseDataset``. Defaults to 1000.
        metainfo (dict, optional): see ``BaseDataset``.

    Raises:
        ConfigError: unknown layout / split / subset, or a missing source key.
        DataNotFoundError: a folder of the layout is missing or empty.
        FolderPairingError: unpaired files (named).
    """

    def __init__(
        self,
        layout: str,
        data_root: str = '',
        split: str = 'test',
        subsets: str | Sequence[str] | None = None,
        blur_source: str | None = None,
        gt_source: str | None = None,
        pipeline: Sequence[dict | Callable] | None = None,
        test_mode: bool = False,
        lazy_init: bool = False,
        indices: int | Sequence[int] | None = None,
        serialize_data: bool = True,
        max_refetch: int = 1000,
        metainfo: dict | None = None,
    ) -> None:
        if layout not in LAYOUTS:
            raise ConfigError(
                f'PairedImageDataset.layout must be one of {LAYOUTS}, got {layout!r}'
            )
        if layout == 'gopro' and split not in ('train', 'test'):
            raise ConfigError(
                f"PairedImageDataset(layout='gopro').split must be 'train' or "
                f"'test', got {split!r}"
            )
        self.subsets = _subset_tuple(subsets)
        unknown = [s for s in self.subsets if s not in HIDE_SUBSETS]
        if layout == 'hide' and (unknown or not self.subsets):
            raise ConfigError(
                f'PairedImageDataset(layout=hide).subsets: unknown {unknown}; '
                f'choose from {HIDE_SUBSETS}'
            )
        needs = {'folders': ('blur_source', 'gt_source'), 'sharp': ('gt_source',)}
        given = dict(blur_source=blur_source, gt_source=gt_source)
        missing = [k for k in needs.get(layout, ()) if not given[k]]
        if missing:
            raise ConfigError(
                f'PairedImageDataset(layout={layout!r}) needs {missing} (folders '
                'relative to data_root)'
            )
        self.layout, self.split = layout, split
        self.blur_source, self.gt_source = blur_source, gt_source
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            data_prefix={},
            indices=indices,
            serialize_data=serialize_data,
            pipeline=list(pipeline) if pipeline is not None else [],
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch,
        )

    def _path(self, *parts: str) -> str:
        return os.path.join(self.data_root or '', *parts)

    def _pairs(self) -> list[tuple[str | None, str, str]]:
        """``(degraded path or None, clean path, stem)`` of every pair, in order."""
        if self.layout == 'sharp':
            folder = self._path(self.gt_source)
            if not os.path.isdir(folder):
                raise DataNotFoundError(
                    f'PairedImageDataset(layout=sharp): folder {folder} does not '
                    'exist (the demo data: python '
                    'tools/dataset_converters/prepare_demo_data.py data/demo)'
                )
            return [(None, p, relative_stem(p, folder)) for p in list_folder(folder)]
        if self.layout == 'folders':
            blur_dir = self._path(self.blur_source)
            return [
                (blur, gt, relative_stem(blur, blur_dir))
                for blur, gt in pair_folders(blur_dir, self._path(self.gt_source))
            ]
        if self.layout == 'hide':
            gt_dir = self._path('GT')
            return [
                (blur, gt, relative_stem(gt, gt_dir))
                for subset in self.subsets
                for blur, gt in self._hide_subset(self._path('test', subset), gt_dir)
            ]
        root = self._path(self.split)
        if not os.path.isdir(root):
            raise DataNotFoundError(
                f'GoPro split folder {root} does not exist; data_root must hold '
                'train/ and test/ with <sequence>/blur and <sequence>/sharp '
                f'({DATA_DOCS})'
            )
        sequences = sorted(
            d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))
        )
        if not sequences:
            raise DataNotFoundError(f'GoPro split folder {root} has no sequence folder')
        triples = []
        for seq in sequences:
            blur_dir = os.path.join(root, seq, 'blur')
            for blur, gt in pair_folders(blur_dir, os.path.join(root, seq, 'sharp')):
                triples.append((blur, gt, f'{seq}_{relative_stem(blur, blur_dir)}'))
        return triples

    @staticmethod
    def _hide_subset(blur_dir: str, gt_dir: str) -> list[tuple[str, str]]:
        """HIDE test images paired with ``GT/<name>`` (GT holds more files)."""
        if not os.path.isdir(blur_dir) or not os.path.isdir(gt_dir):
            raise DataNotFoundError(
                f'HIDE folder {blur_dir if not os.path.isdir(blur_dir) else gt_dir} '
                'does not exist; data_root must hold test/test-close-ups, '
                f'test/test-long-shot and GT ({DATA_DOCS})'
            )
        pairs, missing = [], []
        for path in list_folder(blur_dir):
            gt = os.path.join(gt_dir, os.path.basename(path))
            if os.path.isfile(gt):
                pairs.append((path, gt))
            else:
                missing.append(os.path.basename(path))
        if missing:
            raise FolderPairingError(
                f'{len(missing)} image(s) of {blur_dir} have no partner in {gt_dir}, '
                f'e.g. {missing[:_SHOW]}; HIDE pairs test images with GT/<same name>'
            )
        return pairs

    def load_data_list(self) -> list[dict]:
        """List the pairs into data infos (``img_path``, ``gt_path``, ``stem``...)."""
        return [
            dict(img_path=blur, gt_path=gt, stem=stem, sample_idx=i)
            for i, (blur, gt, stem) in enumerate(self._pairs())
        ]
