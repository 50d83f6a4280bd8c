"""Images smaller than a random crop are named when the dataset is built.

Audit defect 10: ``PairedRandomCrop`` refused a 24x24 image only when it was
drawn, after the first iteration.
"""

from pathlib import Path

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.datasets import ImageMaskDataset, PairedImageDataset, crop_check
from inpaintzoo.utils.errors import InvalidImageError


def _folder(root: Path, sizes: dict[str, int]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, side in sizes.items():
        Image.fromarray(np.zeros((side, side + 8, 3), np.uint8)).save(root / name)
    return root


def test_paired_dataset_names_small_images(tmp_path):
    init_default_scope('inpaintzoo')
    _folder(tmp_path / 'gt', {'a.png': 40, 'b.png': 24, 'c.png': 32})
    pipeline = [dict(type='LoadPairedImages'), dict(type='PairedRandomCrop', size=32)]
    with pytest.raises(InvalidImageError) as err:
        PairedImageDataset(
            layout='sharp', data_root=str(tmp_path), gt_source='gt', pipeline=pipeline
        )
    text = str(err.value)
    assert '1 of 3 images' in text
    assert 'b.png (24x32)' in text
    assert 'PairedRandomCrop crop 32x32' in text


def test_image_dataset_and_resize_before_the_crop(tmp_path):
    init_default_scope('inpaintzoo')
    _folder(tmp_path / 'img', {'a.png': 40, 'b.png': 20})
    crop = [dict(type='LoadImage'), dict(type='RandomCrop', size=(32, 16))]
    with pytest.raises(InvalidImageError, match=r'b\.png \(20x28\)'):
        ImageMaskDataset(img_source=str(tmp_path / 'img'), pipeline=crop)
    resized = [crop[0], dict(type='CenterCropResize', size=64), crop[1]]
    assert len(ImageMaskDataset(img_source=str(tmp_path / 'img'), pipeline=resized))


def test_large_datasets_are_not_read(tmp_path, monkeypatch):
    init_default_scope('inpaintzoo')
    _folder(tmp_path / 'gt', {'a.png': 40, 'b.png': 24})
    monkeypatch.setattr(crop_check, 'MAX_CHECKED', 1)
    pipeline = [dict(type='LoadPairedImages'), dict(type='PairedRandomCrop', size=32)]
    ds = PairedImageDataset(
        layout='sharp', data_root=str(tmp_path), gt_source='gt', pipeline=pipeline
    )
    assert len(ds) == 2
