"""The one reader of image and mask files, shared by every code path.

Dataset transforms (``LoadImage``/``LoadMask``, mask sources), folder scoring
(``tools/evaluate_folder.py``) and inference read files through these functions,
so a file gives the same pixels wherever it is used.

Rules (also in ``docs/data_preparation.md``):

* **Orientation** (``orientation=``): ``'stored'`` (the default here, for
  datasets and scoring) ignores the EXIF orientation tag. Pixels come back in the
  order they are stored, as the official code's ``imageio.imread`` and a plain
  Pillow ``Image.open`` return them. ``cv2.imread``, ``mmcv.imread`` and
  ``mmcv.imfrombytes`` (flag ``'color'``) rotate by the tag instead, so mixing
  them with Pillow-based readers pairs a rotated GT with an unrotated mask.
  ``'exif'`` applies the tag: the picture as viewers and browsers show it, what
  the inference API and the ``inpaintzoo`` command use for the user's own photos.
* **Integrity:** a file is decoded completely with Pillow while
  ``ImageFile.LOAD_TRUNCATED_IMAGES`` is off, and a JPEG must have an end-of-image
  marker after its last scan. A truncated or corrupt file raises
  :class:`ImageReadError` naming it; it is never scored half grey.
* **Bit depth:** 8-bit data is used as is. 16-bit data keeps its high byte
  (``v >> 8``), which is what Pillow itself does for 16-bit RGB PNG/TIFF, so grey
  and colour 16-bit files agree. 32-bit integer images with values above 65535 and
  floating-point images are refused.
* **Channels (images):** grey, bilevel and palette images become RGB; an alpha
  channel is dropped (not composited); CMYK/YCbCr/LAB/HSV are converted to RGB.
* **Masks:** read by :mod:`inpaintzoo.utils.mask_io` on the same decoder — see
  :func:`~inpaintzoo.utils.mask_io.read_mask`: 0/1-valued files are recognised, a
  hole drawn only in the alpha channel is taken from it, then the rule of
  :func:`inpaintzoo.utils.mask.binarize_mask` gives 1 = hole.
* **Pillow images** handed over as objects go through the same conversion
  (:func:`image_pixels`, :func:`~inpaintzoo.utils.mask_io.mask_pixels`) as files.
* **Very large pictures:** Pillow's decompression-bomb warning is not shown; a
  picture above its limit (about 179 megapixels) is refused with a message
  naming ``INPAINTZOO_MAX_IMAGE_PIXELS``, which raises it
  (:mod:`inpaintzoo.utils.pixel_limit`).
"""

import io
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from inpaintzoo.utils.errors import ConfigError, ImageReadError
from inpaintzoo.utils.pixel_limit import (
    PILLOW_STATE_LOCK,
    apply_configured_limit,
    open_quietly,
    quiet_bomb_check,
    refusal_hint,
)

#: ``'stored'``: pixels as stored (EXIF orientation ignored); ``'exif'``: turned
#: by the EXIF orientation tag, as viewers show the picture
Orientation = Literal['stored', 'exif']
ORIENTATIONS: tuple[str, ...] = ('stored', 'exif')
#: EXIF tag of the orientation (1 = as stored, 2-8 = mirrored and/or turned)
EXIF_ORIENTATION_TAG = 0x0112
#: photo formats Pillow cannot decode without a third-party plugin (phones' HEIC)
UNDECODABLE_PHOTO_SUFFIXES = ('.heic', '.heif')
#: what to do with them
UNDECODABLE_PHOTO_HINT = (
    'HEIC/HEIF photos (the iPhone default) cannot be decoded here: convert them to '
    'JPEG or PNG (e.g. `sips -s format jpeg IN.heic --out OUT.jpg` on macOS, or set '
    'the camera to "Most Compatible")'
)


def undecodable_photo_hint(path: str | Path) -> str:
    """:data:`UNDECODABLE_PHOTO_HINT` for a HEIC/HEIF file, '' for others."""
    if Path(path).suffix.lower() in UNDECODABLE_PHOTO_SUFFIXES:
        return UNDECODABLE_PHOTO_HINT
    return ''


_SIXTEEN_BIT_MODES = ('I;16', 'I;16L', 'I;16B', 'I;16N', 'I')
_JPEG_SOS, _JPEG_EOI = b'\xff\xda', b'\xff\xd9'


def _path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be an image file before opening it, or None."""
    if path.is_dir():
        return f'{path} is a folder, not an image file'
    if not path.is_file():
        return f'file not found: {path}'
    try:
        empty = path.stat().st_size == 0
    except OSError as err:
        return f'cannot read {path}: {err}'
    if empty:
        return f'{path} is empty (0 bytes), not an image: re-export or re-download it'
    return None


def _unidentified_problem(path: Path, head: bytes) -> str:
    """Message for a file Pillow recognises as no image format (``head``: its start)."""
    hint = undecodable_photo_hint(path)
    if hint:
        return f'cannot read {path}: {hint}'
    text = head[:512]
    kind = ' (it holds text)' if text and text.isascii() and b'\0' not in text else ''
    return (
        f'cannot read {path}: not an image file{kind}; Pillow knows no image '
        'format in it: re-export it as PNG or JPEG'
    )


def image_file_problem(path: str | Path) -> str | None:
    """Why an image or mask file cannot be read; None if it can.

    The file is decoded once (as :func:`read_image` will), so a folder, a
    missing, empty, unidentifiable, corrupt or truncated file is found before a
    long run starts rather than in its middle; the decoded pixels are dropped.

    Args:
        path (str | Path): the file.

    Returns:
        str | None: a one-line message naming the file, or None.
    """
    try:
        decode_image_file(path).close()
    except ImageReadError as err:
        return str(err)
    return None


def decode_image_file(path: str | Path) -> Image.Image:
    """Open and fully decode ``path``; refuse missing, corrupt or cut files."""
    path = Path(path)
    problem = _path_problem(path)
    if problem is not None:
        raise ImageReadError(problem)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImageReadError(f'cannot read {path}: {err}') from err
    apply_configured_limit()  # a bad setting is a ConfigError, not this file's
    with PILLOW_STATE_LOCK:  # threads must not interleave the flag's save/restore
        img = _decode_bytes(path, data)
    if img.format == 'JPEG' and data.rfind(_JPEG_EOI) < data.rfind(_JPEG_SOS):
        raise ImageReadError(
            f'JPEG file {path} is truncated (no end-of-image marker after its '
            'last scan); re-export or re-download it'
        )
    return img


def _decode_bytes(path: Path, data: bytes) -> Image.Image:
    """Decode the bytes of ``path`` strictly (no truncated-image loading)."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # another library may have set it
    try:
        with quiet_bomb_check():  # no warning lines; a refusal says what to do
            img = Image.open(io.BytesIO(data))
            img.load()
    except UnidentifiedImageError as err:
        raise ImageReadError(_unidentified_problem(path, data[:512])) from err
    except (OSError, ValueError, SyntaxError) as err:
        hint = undecodable_photo_hint(path)
        if hint:
            raise ImageReadError(f'cannot read {path}: {hint}') from err
        raise ImageReadError(
            f'cannot read {path} as an image ({err}); the file is corrupt, '
            'truncated or not an image: re-export or re-download it'
        ) from err
    except Image.DecompressionBombError as err:
        raise ImageReadError(
            f'refusing to decode {path}: {err} {refusal_hint()}'
        ) from err
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous
    return img


def check_orientation(orientation: str) -> None:
    """Raise :class:`ConfigError` unless ``orientation`` is in :data:`ORIENTATIONS`."""
    if orientation not in ORIENTATIONS:
        raise ConfigError(
            f'orientation must be one of {ORIENTATIONS}, got {orientation!r}'
        )


def exif_orientation(img: Image.Image) -> int:
    """The EXIF orientation tag of ``img``: 1 (as stored) to 8; 1 if absent or bad."""
    try:
        value = img.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        return 1  # unreadable EXIF: shown as stored by viewers too
    return int(value) if isinstance(value, int) and 1 <= value <= 8 else 1


def orient(img: Image.Image, orientation: str) -> Image.Image:
    """``img`` as stored, or turned by its EXIF orientation tag (``'exif'``).

    Args:
        img (Image.Image): a decoded image.
        orientation (str): ``'stored'`` or ``'exif'``.

    Returns:
        Image.Image: ``img`` itself, or its mirrored / turned copy.
    """
    check_orientation(orientation)
    if orientation == 'stored' or exif_orientation(img) == 1:
        return img
    return ImageOps.exif_transpose(img)


def read_icc_profile(path: str | Path) -> bytes | None:
    """The embedded ICC colour profile of an image file, or None.

    Pixels are read as stored (no colour conversion, as in training); writing the
    result with the input's profile keeps its colours as viewers showed the input
    (a phone's Display P3 photo saved without it looks duller).
    """
    try:
        with open_quietly(path) as img:
            profile = img.info.get('icc_profile')
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return profile if isinstance(profile, bytes) and profile else None


def save_image(
    image: np.ndarray, path: str | Path, like: str | Path | None = None, **options
) -> None:
    """Write an (H, W, 3) uint8 RGB array, with the ICC profile of ``like``.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        path (str | Path): the file to write (format from its suffix, or
            ``options['format']``).
        like (str | Path, optional): the input picture; its ICC colour profile,
            if it has one (:func:`read_icc_profile`), is embedded.
        **options: Pillow ``save`` options.
    """
    icc = None if like is None else read_icc_profile(like)
    if icc is not None:
        options['icc_profile'] = icc
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(path, **options)


def file_exif_orientation(path: str | Path) -> int:
    """The EXIF orientation tag of an image file (1 if none, or unreadable)."""
    try:
        with open_quietly(path) as img:
            return exif_orientation(img)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return 1


#: EXIF orientation tags that turn a picture by a quarter (width and height swap)
QUARTER_TURN_TAGS = (5, 6, 7, 8)


def oriented_size(
    path: str | Path, orientation: Orientation = 'stored'
) -> tuple[int, int]:
    """``(H, W)`` of an image file as :func:`read_image` returns it (header only).

    Args:
        path (str | Path): a readable image file (check it with
            :func:`image_file_problem` first).
        orientation (str): ``'stored'`` (default) or ``'exif'``: with ``'exif'``
            a tag of 5-8 (a quarter turn) swaps height and width.

    Returns:
        tuple[int, int]: height and width in pixels.

    Raises:
        ImageReadError: the file cannot be opened.
        ConfigError: an unknown ``orientation``.
    """
    check_orientation(orientation)
    try:
        with open_quietly(path) as img:
            width, height = img.size
            turned = (
                orientation == 'exif' and exif_orientation(img) in QUARTER_TURN_TAGS
            )
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise ImageReadError(f'cannot read {path}: {err}') from err
    return (width, height) if turned else (height, width)


def raw_pixels(img: Image.Image, path: str | Path) -> np.ndarray:
    """Stored pixels as uint8 or uint16, (H, W) or (H, W, C); no orientation."""
    if img.mode in _SIXTEEN_BIT_MODES:
        arr = np.asarray(img)
        if arr.size and (int(arr.min()) < 0 or int(arr.max()) > 65535):
            raise ImageReadError(
                f'{path}: 32-bit integer image with values in '
                f'[{int(arr.min())}, {int(arr.max())}] is not supported; save it '
                'as an 8-bit or 16-bit PNG'
            )
        return arr.astype(np.uint16)
    if img.mode == 'F':
        raise ImageReadError(
            f'{path}: floating-point images (mode F) are not supported; save it '
            'as an 8-bit or 16-bit PNG (in Python: pass a float array in [0, 1])'
        )
    if img.mode in ('1', 'LA', 'La'):
        img = img.convert('L')
    elif img.mode not in ('L', 'RGB', 'RGBA'):
        img = img.convert('RGB')
    return np.asarray(img)


def to_uint8(arr: np.ndarray) -> np.ndarray:
    """uint16 keeps its high byte (like Pillow's 16-bit RGB); uint8 unchanged."""
    if arr.dtype == np.uint16:
        return (arr >> 8).astype(np.uint8)
    return arr.astype(np.uint8, copy=False)


def check_min_size(
    shape: tuple[int, ...], path: str | Path, min_size: int, why: str = ''
) -> None:
    """Raise :class:`ImageReadError` if an image is smaller than ``min_size``.

    Args:
        shape (tuple[int, ...]): the image's (H, W, ...) shape.
        path (str | Path): its file, for the message.
        min_size (int): smallest allowed height and width.
        why (str): what needs that size, e.g. ``'SSIM (7x7 window)'``.
    """
    height, width = shape[:2]
    if height < min_size or width < min_size:
        need = f' for {why}' if why else ''
        raise ImageReadError(
            f'image {path} is {width}x{height} (W x H) but at least '
            f'{min_size}x{min_size} is needed{need}; use larger images'
        )


def image_pixels(
    img: Image.Image, name: str | Path, orientation: Orientation = 'stored'
) -> np.ndarray:
    """A decoded Pillow image as RGB uint8 with the module's rules.

    The one conversion behind :func:`read_image`, also used for PIL images
    handed to the inference API, so an object and its file give the same pixels
    (16-bit keeps its high byte; floating-point images are refused).

    Args:
        img (Image.Image): a decoded image, any mode.
        name (str | Path): its file, or how a message names it.
        orientation (str): ``'stored'`` (default) or ``'exif'``.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB (alpha dropped, not composited).

    Raises:
        ImageReadError: an unsupported mode (floating point, 32-bit values).
    """
    arr = to_uint8(raw_pixels(orient(img, orientation), name))
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    elif arr.shape[2] == 4:
        arr = arr[..., :3]  # alpha dropped, not composited
    return np.ascontiguousarray(arr)


def read_image(
    path: str | Path, min_size: int = 1, orientation: Orientation = 'stored'
) -> np.ndarray:
    """Read an image file as RGB uint8 with the module's rules.

    Args:
        path (str | Path): image file.
        min_size (int): smallest allowed height and width. Defaults to 1.
        orientation (str): ``'stored'`` (default: stored pixel order, EXIF
            orientation ignored) or ``'exif'`` (turned as viewers show it).

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.

    Raises:
        ImageReadError: naming the file if it is missing, corrupt, truncated, of
            an unsupported kind or smaller than ``min_size``.
        ConfigError: an unknown ``orientation``.
    """
    arr = image_pixels(decode_image_file(path), path, orientation)
    check_min_size(arr.shape, path, min_size)
    return arr
