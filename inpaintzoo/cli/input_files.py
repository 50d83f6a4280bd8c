"""Input files of ``inpaintzoo inpaint`` / ``restore``: gather, pair, check.

Rules (also in ``docs/inference.md``; the outputs' rules are in
:mod:`inpaintzoo.cli.output_files`):

* An input is an image file or a folder; a folder contributes its image files
  (``.png .jpg .jpeg .bmp .webp .tif .tiff .avif``, not recursive), sorted by
  name. A file given twice is used once. Hidden files (names starting with
  ``.``, such as macOS's ``._photo.png`` AppleDouble files) are skipped silently.
  Other picture files (:data:`NOTED_SUFFIXES`: GIF, HEIC/HEIF, PSD, ...) are
  skipped with one note line on stderr per folder that names them and what to do
  (convert them; a GIF given by name is read, its first frame).
* ``--mask FILE`` is one mask for every image; ``--mask-dir DIR`` pairs each
  image with the mask of the same file stem (``photo.jpg`` <- ``photo.png``).
  Images without a mask are an error that lists them. Pairing by stem needs
  one mask per stem, and two images of one folder with the same stem
  (``a.jpg``, ``a.png``) are refused with ``--mask-dir`` (both would get one
  mask); with ``--mask`` they are fine.
* Before any model work every input and mask file is decoded once; all that
  cannot be read (truncated ones too) are reported in one error, and then every
  image/mask pair whose sizes differ (as read, EXIF orientation applied) in
  another.
"""

from collections.abc import Sequence
from pathlib import Path

from inpaintzoo.cli.progress import note
from inpaintzoo.evaluation.folder_io import IMAGE_EXTENSIONS
from inpaintzoo.utils.errors import ConfigError, FolderPairingError, ImageReadError
from inpaintzoo.utils.image_io import (
    UNDECODABLE_PHOTO_HINT,
    UNDECODABLE_PHOTO_SUFFIXES,
    image_file_problem,
    oriented_size,
)

#: how many missing names an error message lists before "... and N more"
MAX_LISTED = 10
#: picture files a folder does not contribute, but that are noted when skipped
NOTED_SUFFIXES = (
    '.gif',
    *UNDECODABLE_PHOTO_SUFFIXES,
    '.jxl',
    '.jp2',
    '.j2k',
    '.psd',
    '.tga',
    '.ppm',
    '.pgm',
    '.pbm',
    '.pnm',
    '.ico',
    '.dng',
    '.cr2',
    '.nef',
    '.arw',
)


def listing(names: Sequence[str], sep: str = ', ') -> str:
    """``'a, b, c'``, cut after :data:`MAX_LISTED` names."""
    shown = sep.join(names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f'{shown}, ... and {more} more' if more > 0 else shown


def refuse_all(problems: Sequence[str], error: type[Exception], what: str) -> None:
    """Raise ``error`` listing every problem found before any model work.

    Args:
        problems (Sequence[str]): one message per bad file or pair; none: no error.
        error (type[Exception]): the error class to raise.
        what (str): the count's wording, e.g. ``'of 5 input files cannot be read'``.

    Raises:
        Exception: ``error``, with the one problem or ``'<n> <what>, nothing was
        run: <problems>'``.
    """
    if len(problems) == 1:
        raise error(f'{problems[0]} (nothing was run)')
    if problems:
        raise error(
            f'{len(problems)} {what}, nothing was run: {listing(problems, "; ")}'
        )


def _folder_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The image files of ``folder`` and the picture files it skips.

    Args:
        folder (Path): an existing folder (not searched recursively).

    Returns:
        tuple[list[Path], list[str]]: files with an :data:`IMAGE_EXTENSIONS`
        suffix, sorted by name, and the names of files with a
        :data:`NOTED_SUFFIXES` suffix, sorted. Hidden files (``.`` first) are
        in neither.
    """
    images, skipped = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith('.') or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix in IMAGE_EXTENSIONS:
            images.append(path)
        elif suffix in NOTED_SUFFIXES:
            skipped.append(path.name)
    return images, skipped


def _skip_reason(names: Sequence[str]) -> str:
    """What to do about skipped picture files (HEIC gets its own hint)."""
    heic = any(Path(n).suffix.lower() in UNDECODABLE_PHOTO_SUFFIXES for n in names)
    other = any(Path(n).suffix.lower() not in UNDECODABLE_PHOTO_SUFFIXES for n in names)
    reasons = []
    if other:
        reasons.append(
            f'a folder contributes {" ".join(IMAGE_EXTENSIONS)} files only; convert '
            'the others to PNG or JPEG (a GIF given by name is read: its first frame)'
        )
    if heic:
        reasons.append(UNDECODABLE_PHOTO_HINT)
    return '; '.join(reasons)


def collect_images(inputs: Sequence[str | Path]) -> list[Path]:
    """Expand image files and folders into the list of images to inpaint.

    Folders follow the module's rules: hidden files are skipped silently, other
    picture files (:data:`NOTED_SUFFIXES`) with one note line on stderr.

    Args:
        inputs (Sequence[str | Path]): image files and/or folders of images.

    Returns:
        list[Path]: image files in the given order (folders sorted by name),
        without duplicates; files of one stem are all kept.

    Raises:
        ImageReadError: an input does not exist, or a folder holds no image.
    """
    images: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found, skipped = _folder_files(path)
            if not found:
                also = ''
                if skipped:
                    also = f'; it holds {listing(skipped)}: {_skip_reason(skipped)}'
                raise ImageReadError(
                    f'input folder {path} holds no image files '
                    f'({" ".join(IMAGE_EXTENSIONS)}){also}; pass a folder of images'
                )
            if skipped:
                note(
                    f'note: skipping {len(skipped)} file(s) of {path} '
                    f'({listing(skipped)}): {_skip_reason(skipped)}'
                )
        elif path.is_file():
            found = [path]
        else:
            raise ImageReadError(f'input not found: {path} (no such file or folder)')
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                images.append(file)
    if not images:
        raise ImageReadError('no input image given')
    return images


def _check_unique_image_stems(images: Sequence[Path], mask_dir: Path) -> None:
    """Refuse two images of one folder with one stem: pairing by stem needs one.

    Raises:
        FolderPairingError: naming both files and what to do.
    """
    first: dict[tuple[Path, str], Path] = {}
    for img in images:
        key = (img.parent.resolve(), img.stem)
        if key in first:
            raise FolderPairingError(
                f'images {first[key].name} and {img.name} in {img.parent} share the '
                f'stem {img.stem!r}: --mask-dir pairs masks by file stem, so both '
                f'would get the mask {img.stem}.* of {mask_dir}; rename one of them, '
                'or pass --mask FILE to use one mask for every image'
            )
        first[key] = img


def _masks_by_stem(folder: Path, stems: set[str]) -> dict[str, Path]:
    """The mask of each stem in ``stems`` that ``folder`` holds.

    Raises:
        ImageReadError: ``folder`` is not a folder.
        FolderPairingError: two masks of a wanted stem (``a.png``, ``a.jpg``).
    """
    if not folder.is_dir():
        raise ImageReadError(f'--mask-dir {folder} is not a folder')
    by_stem: dict[str, Path] = {}
    for path in _folder_files(folder)[0]:
        if path.stem in stems and path.stem in by_stem:
            raise FolderPairingError(
                f'masks {by_stem[path.stem].name} and {path.name} in {folder} share '
                f'the stem {path.stem!r}: masks are paired with images by file stem, '
                'so keep one mask per stem (remove or rename the other)'
            )
        by_stem.setdefault(path.stem, path)
    return by_stem


def pair_masks(
    images: Sequence[Path],
    mask: str | Path | None = None,
    mask_dir: str | Path | None = None,
) -> list[Path]:
    """The mask file of each image.

    Args:
        images (Sequence[Path]): from :func:`collect_images`.
        mask (str | Path, optional): one mask for all images.
        mask_dir (str | Path, optional): folder of masks named like the images.
            Exactly one of ``mask`` and ``mask_dir`` is given.

    Returns:
        list[Path]: ``masks[i]`` belongs to ``images[i]``.

    Raises:
        ImageReadError: the mask file or folder does not exist.
        FolderPairingError: images without a mask of the same stem (all listed),
            two images of one folder or two masks with one stem (``mask_dir``),
            or an image used as its own mask.
    """
    if (mask is None) == (mask_dir is None):
        raise ConfigError('give exactly one of --mask FILE and --mask-dir DIR')
    if mask is not None:
        mask_path = Path(mask)
        if mask_path.is_dir():
            raise ImageReadError(
                f'--mask {mask_path} is a folder, not an image file; pass '
                '--mask-dir for a folder of masks named like the images'
            )
        if not mask_path.is_file():
            raise ImageReadError(f'mask file not found: {mask_path}')
        masks = [mask_path] * len(images)
    else:
        folder = Path(mask_dir)
        _check_unique_image_stems(images, folder)
        by_stem = _masks_by_stem(folder, {img.stem for img in images})
        missing = [img.name for img in images if img.stem not in by_stem]
        if missing:
            raise FolderPairingError(
                f'no mask in {folder} for {len(missing)} of {len(images)} '
                f'image(s): {listing(missing)}. Masks are paired by file stem '
                '(photo.jpg <- photo.png): add masks with these names, or pass '
                '--mask FILE to use one mask for every image'
            )
        masks = [by_stem[img.stem] for img in images]
    for img, msk in zip(images, masks):
        if img.resolve() == msk.resolve():
            raise FolderPairingError(
                f'{img} would be its own mask: keep masks in another folder than '
                'the images'
            )
    return masks


def check_readable(files: Sequence[Path]) -> None:
    """Decode every file once; report all that cannot be read in one error.

    Cheap enough to run before any model work (a truncated file is only found
    when it is decoded).

    Args:
        files (Sequence[Path]): images and masks (repeats are checked once).

    Raises:
        ImageReadError: naming each unreadable file and why.
    """
    problems: list[str] = []
    seen: set[Path] = set()
    for file in files:
        key = file.resolve()
        if key in seen:
            continue
        seen.add(key)
        problem = image_file_problem(file)
        if problem is not None:
            problems.append(problem)
    refuse_all(problems, ImageReadError, f'of {len(seen)} input files cannot be read')


def check_pair_sizes(
    images: Sequence[Path], masks: Sequence[Path], orientation: str = 'exif'
) -> None:
    """Refuse image/mask pairs of different sizes, all listed in one error.

    Sizes are read from the headers, turned as the files will be read (an EXIF
    tag of 5-8 swaps them with ``orientation='exif'``), so a folder run does
    not stop at its first wrong mask after earlier results were written. Run
    :func:`check_readable` first.

    Args:
        images (Sequence[Path]): input images.
        masks (Sequence[Path]): ``masks[i]`` belongs to ``images[i]``.
        orientation (str): ``'exif'`` (default) or ``'stored'`` (``--orientation``).

    Raises:
        InvalidMaskError: each mismatch worded as ``inpaint()`` words it (both
            sizes, and the ``--orientation`` switch when the EXIF tags explain it).
    """
    from inpaintzoo.apis.inputs import size_mismatch  # imports torch
    from inpaintzoo.utils.errors import InvalidMaskError

    sizes: dict[Path, tuple[int, int]] = {}

    def size(path: Path) -> tuple[int, int]:
        key = path.resolve()
        if key not in sizes:
            sizes[key] = oriented_size(path, orientation)
        return sizes[key]

    problems = [
        size_mismatch(img, msk, size(img), size(msk), orientation)
        for img, msk in zip(images, masks, strict=True)
        if size(img) != size(msk)
    ]
    refuse_all(
        problems,
        InvalidMaskError,
        f"of {len(images)} masks do not have their image's size",
    )
