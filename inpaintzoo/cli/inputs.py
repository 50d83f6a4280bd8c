"""Files of ``inpaintzoo inpaint``: gather images, pair masks, name outputs.

Rules (also in ``docs/inference.md``):

* An input is an image file or a folder; a folder contributes its image files
  (``.png .jpg .jpeg .bmp .webp .tif .tiff .avif``, not recursive), sorted by
  name. A file given twice is used once. HEIC/HEIF files cannot be decoded: a
  folder's are skipped with a note on stderr that says how to convert them.
* ``--mask FILE`` is one mask for every image; ``--mask-dir DIR`` pairs each
  image with the mask of the same file stem (``photo.jpg`` <- ``photo.png``).
  Images without a mask are an error that lists them.
* ``--out DIR`` must not be a folder the inputs or masks were read from.
  Results are ``<out>/<stem>.png``; a name that would be an input or mask file,
  or that another image already took, gets ``_inpainted`` (then ``_inpainted2``,
  ...) appended, so an input is never overwritten. ``--out FILE.png`` (one
  image) names the result itself; another image suffix (``.jpg`` ...) is refused,
  since results are lossless PNG; an existing folder is a folder, whatever its
  name. The folder is created when the first result is written, so a run that
  fails before leaves none behind.
* Before any model work every input and mask file is decoded once; all that
  cannot be read (truncated ones too) are reported in one error.
"""

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from inpaintzoo.evaluation.folder_io import IMAGE_EXTENSIONS, list_images
from inpaintzoo.utils.errors import ConfigError, FolderPairingError, ImageReadError
from inpaintzoo.utils.image_io import (
    UNDECODABLE_PHOTO_HINT,
    UNDECODABLE_PHOTO_SUFFIXES,
    image_file_problem,
)

#: how many missing names an error message lists before "... and N more"
MAX_LISTED = 10
#: suffixes that make ``--out`` a file name rather than a folder
OUT_FILE_SUFFIXES = (*IMAGE_EXTENSIONS, '.gif', *UNDECODABLE_PHOTO_SUFFIXES)


def _listing(names: Sequence[str], sep: str = ', ') -> str:
    """``'a, b, c'``, cut after :data:`MAX_LISTED` names."""
    shown = sep.join(names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f'{shown}, ... and {more} more' if more > 0 else shown


def _undecodable_photos(folder: Path) -> list[str]:
    """Names of the HEIC/HEIF files of ``folder``, sorted."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in UNDECODABLE_PHOTO_SUFFIXES
    )


def collect_images(inputs: Sequence[str | Path]) -> list[Path]:
    """Expand image files and folders into the list of images to inpaint.

    Args:
        inputs (Sequence[str | Path]): image files and/or folders of images.

    Returns:
        list[Path]: image files in the given order (folders sorted by stem),
        without duplicates.

    Raises:
        ImageReadError: an input does not exist, or a folder holds no image.
    """
    images: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = list(list_images(path).values())
            heic = _undecodable_photos(path)
            if not found:
                also = ''
                if heic:
                    also = f'; it holds {_listing(heic)}: {UNDECODABLE_PHOTO_HINT}'
                raise ImageReadError(
                    f'input folder {path} holds no image files '
                    f'({" ".join(IMAGE_EXTENSIONS)}){also}; pass a folder of images'
                )
            if heic:
                print(
                    f'note: skipping {len(heic)} file(s) of {path} ({_listing(heic)}): '
                    f'{UNDECODABLE_PHOTO_HINT}',
                    file=sys.stderr,
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
        by_stem = list_images(folder)  # raises ImageReadError if not a folder
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
    """
    path = Path(out)
    if path.is_dir() or path.suffix.lower() not in OUT_FILE_SUFFIXES:
        return plan_outputs(images, masks, check_out_dir(path, inputs, mask_dir))
    return [check_out_file(path, images, masks)]


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
