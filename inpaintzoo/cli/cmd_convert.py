"""``inpaintzoo convert``: official HINT / MxT / SEM-Net / NCLG-MT checkpoints.

The official code saves ``InpaintingModel_gen.pth`` (and ``InpaintingModel_dis.pth``);
this command turns them into one inpaintzoo checkpoint
``{'state_dict': {'generator.<k>': ..., 'discriminator.<k>': ...}, 'meta': {...}}``
with :func:`inpaintzoo.models.converters.checkpoint_files.convert_official_files`:
the files are read with ``weights_only`` loading (nothing in them runs), every
key is mapped or listed as dropped, and shapes are checked against the built
model. ``--dis`` converts the discriminator with the generator's own
discriminator converter; one of the other kind is refused.

Next to the output it writes the matching config ``<out stem>_config.py`` (the
paper config with the generator read off the file; ``--no-config`` skips it).
The checkpoint is written to ``.<name>.partial`` and renamed at the end, so
nothing is left behind unless the whole conversion succeeds.
``tools/model_converters/official_to_inpaintzoo.py`` runs the same code.
"""

import argparse
import os
from pathlib import Path
from typing import Any

from inpaintzoo.utils.errors import ConfigError, InpaintzooError

#: generator architectures of ``--arch`` (each converts its own discriminator with
#: ``--dis``); a test keeps them equal to
#: :func:`inpaintzoo.models.converters.generator_archs`, so that building the
#: parser does not import the converters
ARCHS = ('hint', 'mxt', 'nclg', 'sem_net')


class OutputWriteError(InpaintzooError, OSError):
    """The converted checkpoint or its config could not be written (disk full, ...)."""


def add_convert_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--arch GENERATOR OUT [--dis FILE] [--no-config]`` to ``parser``."""
    parser.add_argument(
        '--arch',
        choices=ARCHS,
        required=True,
        help='architecture of the generator file',
    )
    parser.add_argument('generator', help='official InpaintingModel_gen.pth')
    parser.add_argument(
        'out', help='output inpaintzoo checkpoint (.pth; its folder must exist)'
    )
    parser.add_argument(
        '--dis',
        metavar='FILE',
        help='official InpaintingModel_dis.pth of the same model, converted with '
        "the arch's own discriminator (not needed to test or inpaint)",
    )
    parser.add_argument(
        '--no-config',
        action='store_true',
        help='do not write the matching config <out stem>_config.py',
    )


def add_convert_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``convert`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        'convert',
        help='convert official HINT / MxT / SEM-Net / NCLG-MT checkpoints',
        description=(
            'Convert an official InpaintingModel_gen.pth (and, with --dis, '
            'InpaintingModel_dis.pth) into one inpaintzoo checkpoint, and write '
            'the matching config <out stem>_config.py next to it. The files are '
            'loaded weights-only (no code in them runs); nothing is written '
            'unless the whole conversion succeeds.'
        ),
    )
    add_convert_arguments(parser)
    parser.set_defaults(handler=run_convert)
    return parser


def check_output(
    out: Path, inputs: list[str | None], config: Path | None = None
) -> None:
    """Refuse an output that cannot or must not be written, before converting.

    Args:
        out (Path): the output checkpoint.
        inputs (list[str | None]): the official files (None for no ``--dis``).
        config (Path, optional): the matching config that will be written next
            to ``out``. Its name is derived from ``out``, so an existing file of
            that name that this command did not write (no converter header) may
            be the user's own: it is refused, not replaced, as is a folder.

    Raises:
        IsADirectoryError: ``out`` is a folder.
        FileNotFoundError: its folder does not exist.
        PermissionError: its folder is not writable.
        ConfigError: ``out`` is one of the input files, or a ``.safetensors``
            name (the converted file is a ``torch.save`` pickle).
        OutputWriteError: ``config`` is a folder or a file of the user's.
    """
    if out.is_dir():
        raise IsADirectoryError(
            f'output {out} is a folder; give a file name, e.g. {out / "model.pth"}'
        )
    for given in inputs:
        if (
            given is not None
            and Path(given).exists()
            and out.exists()
            and out.samefile(given)
        ):
            raise ConfigError(
                f'output {out} is the input file {given}; the official file is '
                'kept: choose another output name'
            )
    if out.suffix == '.safetensors':
        raise ConfigError(
            f'output {out}: the converted checkpoint is a .pth file (it holds '
            f'meta as well); name it e.g. {out.with_suffix(".pth")}'
        )
    folder = out.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f'output folder {folder} does not exist; create it first'
        )
    if not os.access(folder, os.W_OK):
        raise PermissionError(f'output folder {folder} is not writable')
    if config is None:
        return
    from inpaintzoo.apis.converted_config import is_matching_config

    if config.is_dir() or (config.exists() and not is_matching_config(config)):
        kind = 'a folder' if config.is_dir() else 'a file this command did not write'
        raise OutputWriteError(
            f'{config} (the config written next to {out}) is {kind}; move it '
            'away, choose another output name, or pass --no-config; nothing '
            'was written'
        )


def save_outputs(ckpt: dict, out: Path, config: tuple[Path, str] | None) -> list[Path]:
    """Write the checkpoint (and config) or, on any error, neither.

    Both go to ``.<name>.partial`` files first, renamed at the end, so a failure
    leaves every existing file as it was (the config's name was checked by
    :func:`check_output`).

    Returns:
        list[Path]: the existing files that were replaced.

    Raises:
        OutputWriteError: a file could not be written (disk full, ...).
    """
    import torch

    targets = [(out, None)] + ([config] if config is not None else [])
    replaced = [path for path, _ in targets if path.exists()]
    partials: list[Path] = []
    current = out  # the file being written, for the message
    try:
        for path, text in targets:
            tmp = path.with_name(f'.{path.name}.partial')
            current = tmp
            partials.append(tmp)
            if text is None:
                torch.save(ckpt, tmp)
            else:
                tmp.write_text(text)
        for (path, _), tmp in zip(targets[::-1], partials[::-1]):
            current = path
            os.replace(tmp, path)  # the checkpoint last: it is what is used
    except BaseException as err:
        for tmp in partials:
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and not isinstance(err, InpaintzooError):
            reason = err.strerror or str(err)
            raise OutputWriteError(
                f'could not write {current}: {reason}; nothing was written'
            ) from err
        raise
    return replaced


def matching_config(arch: str, meta: dict, out: Path) -> tuple[Path, str] | None:
    """``(path, text)`` of the config that loads ``out``; None without one."""
    from inpaintzoo.apis.converted_config import (
        has_matching_config,
        matching_config_path,
        matching_config_text,
    )

    if not has_matching_config(arch):
        return None
    dis = meta.get('discriminator_arch')
    dis = (dis, meta['discriminator_kwargs']) if dis else None
    text = matching_config_text(arch, meta['official_kwargs'], str(out), dis)
    return matching_config_path(out), text


def print_summary(
    ckpt: dict, out: Path, config: tuple[Path, str] | None, args: argparse.Namespace
) -> None:
    """What was converted, what was dropped, and the commands that use the file."""
    from inpaintzoo.utils.tool_paths import find_tool

    meta = ckpt['meta']
    print(f'official kwargs: {meta["official_kwargs"]}')
    for key, why in meta['dropped_keys'].items():
        print(f'dropped {key}: {why}')
    print(f'wrote {len(ckpt["state_dict"])} tensors to {out}')
    if args.dis is None:
        print('generator only (no --dis): enough for testing and inference')
    if config is not None:
        print(f'matching config: {config[0]}')
        print(
            f'  inpaint: inpaintzoo inpaint --model {config[0]} --checkpoint {out} '
            'IMAGE --mask MASK --out DIR'
        )
        script = find_tool('test.py')
        where = '' if script else ' (in a clone of the repository)'
        print(f'  test{where}: python {script or "tools/test.py"} {config[0]} {out}')
    elif not args.no_config:
        print(
            f'note: no paper config for {args.arch!r}, so no matching config was '
            'written; write one whose model.generator fits the official kwargs above'
        )


def run_convert(args: argparse.Namespace) -> int:
    """Convert ``args.generator`` (and ``args.dis``) into ``args.out``.

    Everything about the output is checked before the files are read.

    Args:
        args (argparse.Namespace): parsed ``convert`` arguments.

    Returns:
        int: 0.

    Raises:
        CheckpointMismatchError: keys or shapes do not fit ``--arch`` (the
            message names the likely arch), a discriminator of the other kind,
            or a file that already is an inpaintzoo checkpoint.
        CorruptCheckpointError / UnsafeCheckpointError: a file is damaged, or
            refers to code (never unpickled).
        OutputWriteError: the output could not be written; nothing was left.
    """
    from inpaintzoo.apis.converted_config import (
        has_matching_config,
        matching_config_path,
    )
    from inpaintzoo.models.converters.checkpoint_files import convert_official_files

    out = Path(args.out)
    writes_config = not args.no_config and has_matching_config(args.arch)
    config_path = matching_config_path(out) if writes_config else None
    check_output(out, [args.generator, args.dis], config_path)
    ckpt = convert_official_files(args.arch, args.generator, args.dis)
    config = None if args.no_config else matching_config(args.arch, ckpt['meta'], out)
    replaced = save_outputs(ckpt, out, config)
    for path in replaced:
        print(f'replaced the existing {path}')
    print_summary(ckpt, out, config, args)
    return 0
