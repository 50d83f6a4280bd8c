"""Output files of ``inpaintzoo inpaint`` / ``restore``: results, checked early.

Rules (also in ``docs/inference.md``):

* ``--out DIR`` must not be a folder the inputs or masks were read from.
  Results are ``<out>/<stem>.png``; a name that would be an input or mask file,
  or that another image already took, gets the command's suffix appended
  (:data:`CLASH_SUFFIXES`: ``inpaint`` ``_inpainted``, then ``_inpainted2``, ...;
  ``restore`` ``_restored``, ``_restored2``, ...), so an input is never
  overwritten. ``--out FILE.png`` (one image) names the result itself; another
  image suffix (``.jpg`` ...) is refused, since results are lossless PNG; an
  existing folder is a folder, whatever its name. The folder is created when
  the first result is written, so a run that fails before leaves none behind.
  An existing result that cannot be overwritten (read-only, or a folder) is
  refused before any model work.
"""

import os
from collections.abc import Sequence
from pathlib import Path

from inpaintzoo.cli.input_files import listing
from inpaintzoo.evaluation.folder_io import IMAGE_EXTENSIONS
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.image_io import UNDECODABLE_PHOTO_SUFFIXES

#: suffixes that make ``--out`` a file name rather than a folder
OUT_FILE_SUFFIXES = (*IMAGE_EXTENSIONS, '.gif', *UNDECODABLE_PHOTO_SUFFIXES)
#: what a result name that clashes gets appended, by command (then ``<suffix>2``...)
CLASH_SUFFIXES = {'inpaint': '_inpainted', 'restore': '_restored'}


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
    clash_suffix: str = CLASH_SUFFIXES['inpaint'],
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
        clash_suffix (str): appended to a result name that clashes
            (:func:`plan_outputs`); the command's entry of
            :data:`CLASH_SUFFIXES`. Defaults to ``'_inpainted'``.

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
        outputs = plan_outputs(
            images, masks, check_out_dir(path, inputs, mask_dir), clash_suffix
        )
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
            f'--out {out}: cannot overwrite {listing(problems)}; make it writable, '
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


def plan_outputs(
    images: Sequence[Path],
    masks: Sequence[Path],
    out_dir: Path,
    clash_suffix: str = CLASH_SUFFIXES['inpaint'],
) -> list[Path]:
    """The result file of each image: ``<out_dir>/<stem>.png``, never an input.

    Every image gets its own name ``<stem>.png`` unless that is an input or mask
    file, or another image has the same stem; of images sharing a stem, a
    ``.png`` one keeps the name (``photo.png``'s result is ``photo.png``), else
    the first. The others get ``clash_suffix`` appended (``<stem>_inpainted.png``),
    then ``clash_suffix`` and 2, 3, ... (``<stem>_inpainted2.png``), never a
    name that is another image's own.

    Args:
        images (Sequence[Path]): input images.
        masks (Sequence[Path]): their masks (also protected).
        out_dir (Path): output folder.
        clash_suffix (str): see above. Defaults to ``'_inpainted'``.

    Returns:
        list[Path]: distinct PNG paths, none equal to an input or mask file.
    """
    protected = {p.resolve() for p in (*images, *masks)}
    own = [out_dir / f'{img.stem}.png' for img in images]
    holder: dict[Path, int] = {}  # own name -> the image that keeps it
    for i, name in enumerate(own):
        key = name.resolve()
        if key in protected:
            continue
        j = holder.get(key)
        if j is None or (
            images[j].suffix.lower() != '.png' and images[i].suffix.lower() == '.png'
        ):
            holder[key] = i
    outputs: list[Path | None] = [None] * len(images)
    for i in holder.values():
        outputs[i] = own[i]
    taken = set(holder)
    for i, img in enumerate(images):
        k = 1
        while outputs[i] is None:
            suffix = clash_suffix if k == 1 else f'{clash_suffix}{k}'
            candidate, k = out_dir / f'{img.stem}{suffix}.png', k + 1
            key = candidate.resolve()
            if key not in protected and key not in taken:
                taken.add(key)
                outputs[i] = candidate
    return [p for p in outputs if p is not None]
