"""Files of ``inpaintzoo inpaint``: gather images, pair masks, name outputs.

Rules (also in ``docs/inference.md``):

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
* ``--out DIR`` must not be a folder the inputs or masks were read from.
  Results are ``<out>/<stem>.png``; a name that would be an input or mask file,
  or that another image already took, gets ``_inpainted`` (then ``_inpainted2``,
  ...) appended, so an input is never overwritten. ``--out FILE.png`` (one
  image) names the result itself; another image suffix (``.jpg`` ...) is refused,
  since results are lossless PNG; an existing folder is a folder, whatever its
  name. The folder is created when the first result is written, so a run that
  fails before leaves none behind. An existing result that cannot be
  overwritten (read-only, or a folder) is refused before any model work.
* Before any model work every input and mask file is decoded once; all that
  cannot be read (truncated ones too) are reported in one error, and then every
  image/mask pair whose sizes differ (as read, EXIF orientation applied) in
  another.
"""

import os
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
#: suffixes that make ``--out`` a file name rather than a folder
OUT_FILE_SUFFIXES = (*IMAGE_EXTENSIONS, '.gif', *UNDECODABLE_PHOTO_SUFFIXES)
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


def _listing(names: Sequence[str], sep: str = ', ') -> str:
    """``'a, b, c'``, cut after :data:`MAX_LISTED` names."""
    shown = sep.join(names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f'{shown}, ... and {more} more' if more > 0 else shown


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
                    also = f'; it holds {_listing(skipped)}: {_skip_reason(skipped)}'
                raise ImageReadError(
                    f'input folder {path} holds no image files '
                    f'({" ".join(IMAGE_EXTENSIONS)}){also}; pass a folder of images'
                )
            if skipped:
                note(
                    f'note: skipping {len(skipped)} file(s) of {path} '
                    f'({_listing(skipped)}): {_skip_reason(skipped)}'
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
                f'image(s): {_listing(missing)}. Masks are paired by file stem '
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


def check_out_dir(
    out_dir: str | Path, inputs: Sequence[str | Path], mask_dir: str | Path | None
) -> Path:
    """Refuse an output folder the inputs are read from, or one not writable.

    The folder is not created here (see :func:`make_parent`).

    Args:
        out_dir (str | Path): the ``--out`` folder.
        inputs (Sequence[str | Path]): the image arguments (files or folders).
        mask_dir (str | Path, optional): the ``--mask-dir`` folder.

    Returns:
        Path: the output folder.

    Raises:
        ConfigError: ``out_dir`` is an input folder or the mask folder.
        NotADirectoryError: ``out_dir`` (or a folder above it) exists and is a file.
        PermissionError: it cannot be created or written in.
    """
    out = Path(out_dir)
    folders = [Path(p) for p in inputs if Path(p).is_dir()]
    if mask_dir is not None:
        folders.append(Path(mask_dir))
    for folder in folders:
        if out.resolve() == folder.resolve():
            raise ConfigError(
                f'--out {out} is also an input folder ({folder}); choose another '
                'output folder so the inputs are never overwritten'
            )
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f'--out {out} exists and is not a folder')
    check_writable(out, out)
    return out


def check_writable(folder: Path, out: Path) -> None:
    """Refuse a ``folder`` that cannot be created or written in.

    Args:
        folder (Path): where results go (it need not exist yet).
        out (Path): the ``--out`` argument, named in messages.

    Raises:
        NotADirectoryError: the nearest existing path above it is a file.
        PermissionError: that folder is not writable.
    """
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f'--out {out}: {existing} is a file, not a folder')
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f'--out {out}: cannot write in {existing}')


def make_parent(path: Path) -> None:
    """Create the folder of a result file (and those above it) when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)


def plan_results(
    out: str | Path,
    images: Sequence[Path],
    masks: Sequence[Path],
    inputs: Sequence[str | Path],
    mask_dir: str | Path | None = None,
) -> list[Path]:
    """The result file of each image, from ``--out`` (a folder or one .png file).

    ``--out`` is a file name when it ends in an image suffix and is not an
    existing folder; only ``.png`` is accepted then, for one image.

    Args:
        out (str | Path): the ``--out`` argument.
        images (Sequence[Path]): input images.
        masks (Sequence[Path]): their masks (protected too; may be empty).
        inputs (Sequence[str | Path]): the image arguments (files or folders).
        mask_dir (str | Path, optional): the ``--mask-dir`` folder.

    Returns:
        list[Path]: one result path per image; nothing is created yet.

    Raises:
        ConfigError: another image suffix, a file for several images, or a
            file that is an input or mask.
        PermissionError: a result file exists and cannot be overwritten
            (:func:`check_overwritable`), or the folder is not writable.
    """
    path = Path(out)
    if path.is_dir() or path.suffix.lower() not in OUT_FILE_SUFFIXES:
        outputs = plan_outputs(images, masks, check_out_dir(path, inputs, mask_dir))
    else:
        outputs = [check_out_file(path, images, masks)]
    check_overwritable(outputs, path)
    return outputs


def check_overwritable(outputs: Sequence[Path], out: Path) -> None:
    """Refuse result paths that exist and cannot be overwritten, all at once.

    Existing results are overwritten (documented), so each must be a file this
    process may write; found here, before the model loads, rather than after a
    folder run has written half of its results.

    Args:
        outputs (Sequence[Path]): the planned result files.
        out (Path): the ``--out`` argument, named in the message.

    Raises:
        PermissionError: naming ``--out`` and every such path.
    """
    problems = []
    for path in outputs:
        if path.is_dir():
            problems.append(f'{path} (a folder)')
        elif path.exists() and not os.access(path, os.W_OK):
            problems.append(f'{path} (read-only)')
    if problems:
        raise PermissionError(
            f'--out {out}: cannot overwrite {_listing(problems)}; make it writable, '
            'move it away, or choose another --out (nothing was run)'
        )


def check_out_file(out: Path, images: Sequence[Path], masks: Sequence[Path]) -> Path:
    """Check ``--out FILE``: a .png, one image, not an input or mask file.

    Raises:
        ConfigError: as :func:`plan_results` says.
    """
    if out.suffix.lower() != '.png':
        raise ConfigError(
            f'--out must be a folder or a .png file (results are lossless PNG), '
            f'got {out}: name it {out.with_suffix(".png").name} or pass a folder'
        )
    if len(images) != 1:
        raise ConfigError(
            f'--out {out} is a file but {len(images)} images were given; pass a '
            'folder for several images'
        )
    if out.resolve() in {p.resolve() for p in (*images, *masks)}:
        raise ConfigError(f'--out {out} is an input image or mask; choose another file')
    check_writable(out.parent, out)
    return out


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
    if len(problems) == 1:
        raise ImageReadError(f'{problems[0]} (nothing was run)')
    if problems:
        raise ImageReadError(
            f'{len(problems)} of {len(seen)} input files cannot be read, nothing '
            f'was run: {_listing(problems, "; ")}'
        )


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
    if len(problems) == 1:
        raise InvalidMaskError(f'{problems[0]} (nothing was run)')
    if problems:
        raise InvalidMaskError(
            f"{len(problems)} of {len(images)} masks do not have their image's "
            f'size, nothing was run: {_listing(problems, "; ")}'
        )


def plan_outputs(
    images: Sequence[Path], masks: Sequence[Path], out_dir: Path
) -> list[Path]:
    """The result file of each image: ``<out_dir>/<stem>.png``, never an input.

    Args:
        images (Sequence[Path]): input images.
        masks (Sequence[Path]): their masks (also protected).
        out_dir (Path): output folder.

    Returns:
        list[Path]: distinct PNG paths, none equal to an input or mask file.
    """
    protected = {p.resolve() for p in (*images, *masks)}
    taken: set[Path] = set()
    outputs = []
    for img in images:
        candidate, k = out_dir / f'{img.stem}.png', 1
        while candidate.resolve() in protected or candidate.resolve() in taken:
            suffix = '_inpainted' if k == 1 else f'_inpainted{k}'
            candidate, k = out_dir / f'{img.stem}{suffix}.png', k + 1
        taken.add(candidate.resolve())
        outputs.append(candidate)
    return outputs
