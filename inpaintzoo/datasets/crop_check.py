"""Find images smaller than a random crop when the dataset is built.

``RandomCrop`` / ``PairedRandomCrop`` refuse an image smaller than the crop, but
only when that image is drawn, which can be hours into a run. When a dataset's
pipeline crops before anything resizes, :func:`check_crop_fits` reads the size
from every image's header (no decoding) as the dataset is built, before the
first iteration, and names the small ones. Datasets larger than
:data:`MAX_CHECKED` images are not checked (reading that many headers takes
minutes on network storage); their small images still fail when drawn.
"""

import logging
from collections.abc import Iterable

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from PIL import Image

from inpaintzoo.datasets.transforms.geometric import RandomCrop
from inpaintzoo.datasets.transforms.paired import PairedRandomCrop
from inpaintzoo.utils.errors import InvalidImageError

#: a transform whose name holds one of these changes the size: stop looking
SIZE_CHANGING = ('Resize', 'Crop', 'Pad', 'Rescale')
#: most images whose headers are read (about 0.5 ms each on a local disk)
MAX_CHECKED = 20_000
#: small images named in the message
_SHOW = 3


def first_random_crop(
    transforms: Iterable[object],
) -> tuple[str, tuple[int, int]] | None:
    """Name and (H, W) of the first random crop, if no transform before it resizes."""
    for step in transforms:
        if isinstance(step, RandomCrop | PairedRandomCrop):
            return type(step).__name__, tuple(step.size)
        if any(word in type(step).__name__ for word in SIZE_CHANGING):
            return None
    return None


def _header_size(path: str) -> tuple[int, int] | None:
    """(W, H) from the file's header; None if unreadable (the loader reports it)."""
    try:
        with Image.open(path) as img:
            return img.size
    except (OSError, ValueError):
        return None


def check_crop_fits(dataset: BaseDataset) -> None:
    """Raise if an image of ``dataset`` is smaller than its pipeline's random crop.

    The image is ``gt_path`` (paired data) or ``img_path`` of each data info.

    Raises:
        InvalidImageError: names how many images are too small, the first few
            with their sizes, and the crop.
    """
    found = first_random_crop(getattr(dataset.pipeline, 'transforms', []))
    if found is None:
        return
    name, (ch, cw) = found
    count = len(dataset)
    if count > MAX_CHECKED:
        print_log(
            f'{name}: {count} images, sizes not checked before training (more '
            f'than {MAX_CHECKED}); one smaller than {ch}x{cw} stops the run when '
            'it is drawn',
            logger='current',
            level=logging.INFO,
        )
        return
    small = []
    for index in range(count):
        info = dataset.get_data_info(index)
        path = info.get('gt_path') or info.get('img_path')
        size = _header_size(path) if path else None
        if size is not None and (size[1] < ch or size[0] < cw):
            small.append(f'{path} ({size[1]}x{size[0]})')
    if small:
        raise InvalidImageError(
            f'{len(small)} of {count} images are smaller than the {name} crop '
            f'{ch}x{cw} (H x W), e.g. {", ".join(small[:_SHOW])}; remove or enlarge '
            'them, or lower the crop size'
        )


class CropCheckedDataset(BaseDataset):
    """A ``BaseDataset`` that checks its images against a random crop.

    The check (:func:`check_crop_fits`) runs once the data list is loaded.
    """

    def full_init(self) -> None:
        """Load the data list, then check images against a random crop."""
        if self._fully_initialized:
            return
        super().full_init()
        check_crop_fits(self)
