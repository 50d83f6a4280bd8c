"""Pillow's guard against decompression bombs, quiet and adjustable.

Pillow warns (``DecompressionBombWarning``, two lines of Python warning) about a
picture above ``PIL.Image.MAX_IMAGE_PIXELS`` (about 89.5 megapixels) and refuses
one above twice that (about 179 megapixels). Phone sensors of 200 megapixels
exist, so:

* inpaintzoo's readers open files through :func:`open_quietly`: the warning is
  not shown (the picture is read; ``inpaintzoo inpaint`` notes large pictures in
  its own words), and a refusal names :data:`MAX_PIXELS_ENV`;
* ``INPAINTZOO_MAX_IMAGE_PIXELS`` (:data:`MAX_PIXELS_ENV`), when set, is the
  largest picture, in pixels, that is decoded: ``250000000`` (or ``2.5e8``)
  allows 250 megapixels, ``0`` or ``none`` removes the limit. It is applied to
  Pillow's limit of the whole process when a file is opened (it is named for
  that). Unset, Pillow's own limit stays as it is.
"""

import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from PIL import Image

from inpaintzoo.utils.errors import ConfigError

#: environment variable: the largest picture (pixels) that is decoded; 0 = no limit
MAX_PIXELS_ENV = 'INPAINTZOO_MAX_IMAGE_PIXELS'
#: values of :data:`MAX_PIXELS_ENV` that remove the limit
NO_LIMIT_WORDS = ('0', 'none', 'off', 'unlimited')
#: held while a reader changes process-wide Pillow / warnings state and puts it
#: back (:func:`quiet_bomb_check`, ``ImageFile.LOAD_TRUNCATED_IMAGES`` in
#: :mod:`inpaintzoo.utils.image_io`): ``warnings.catch_warnings`` and a
#: save-set-restore of a module flag are not thread-safe, so two threads reading
#: at once (the browser app) could leave the filter or the flag changed for good
PILLOW_STATE_LOCK = threading.RLock()


def configured_limit() -> int | None:
    """The pixel limit :data:`MAX_PIXELS_ENV` asks for; 0 when it is unset.

    Returns:
        int | None: pixels (> 0), None for no limit, 0 when the variable is
        unset or empty (Pillow's limit is kept).

    Raises:
        ConfigError: a value that is not a number of pixels.
    """
    text = os.environ.get(MAX_PIXELS_ENV, '').strip().lower().replace('_', '')
    if not text:
        return 0
    if text in NO_LIMIT_WORDS:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float('nan')
    if not (value == value and 0 < value < float('inf')):
        raise ConfigError(
            f'{MAX_PIXELS_ENV}={os.environ[MAX_PIXELS_ENV]!r} is not a number of '
            'pixels: set it to the largest picture to decode (e.g. 250000000 for '
            '250 megapixels) or 0 for no limit'
        )
    return int(value)


def apply_configured_limit() -> None:
    """Set Pillow's limit from :data:`MAX_PIXELS_ENV` when the variable is set.

    Pillow refuses pictures above twice ``Image.MAX_IMAGE_PIXELS``, so that is
    set to half the configured limit (rounded up).
    """
    limit = configured_limit()
    if limit is None:
        Image.MAX_IMAGE_PIXELS = None
    elif limit > 0:
        Image.MAX_IMAGE_PIXELS = (limit + 1) // 2


def refusal_hint() -> str:
    """What to do about a picture above the limit (one sentence)."""
    return (
        f'If you trust the file, raise the limit: set the environment variable '
        f'{MAX_PIXELS_ENV} to its pixel count or more (0 = no limit).'
    )


@contextmanager
def quiet_bomb_check() -> Iterator[None]:
    """Apply :data:`MAX_PIXELS_ENV` and hide Pillow's bomb warning inside.

    Refusals (``Image.DecompressionBombError``) still raise; callers word them
    with :func:`refusal_hint`. Threads take turns inside (:data:`PILLOW_STATE_LOCK`).
    """
    apply_configured_limit()
    with PILLOW_STATE_LOCK, warnings.catch_warnings():
        warnings.simplefilter('ignore', Image.DecompressionBombWarning)
        yield


def open_quietly(source: str | os.PathLike | IO[bytes]) -> Image.Image:
    """``Image.open(source)`` (the header only) under :func:`quiet_bomb_check`.

    Raises:
        Image.DecompressionBombError: above the limit; and what ``Image.open``
            raises for a file that is not an image.
    """
    with quiet_bomb_check():
        return Image.open(source)
