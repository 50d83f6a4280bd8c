"""Convert official HINT / MxT / SEM-Net / NCLG-MT checkpoints to inpaintzoo ones.

Example::

    python tools/model_converters/official_to_inpaintzoo.py --arch hint \
        InpaintingModel_gen.pth hint_official.pth --dis InpaintingModel_dis.pth

``--arch`` names the generator; ``--dis`` is converted with that generator's own
discriminator (the PatchGAN of HINT / MxT / SEM-Net, the PatchGAN with short+long
attention of NCLG-MT), and a discriminator of the other kind is refused.
The output is ``{'state_dict': {'generator.<k>': ..., 'discriminator.<k>': ...},
'meta': {...}}``; dead official keys (MxT, SEM-Net, NCLG-MT) are dropped and listed.
Without ``--dis`` the file holds the generator only, which is all testing and
inference need. The matching inpaintzoo config (the paper config with the
generator, and the discriminator when given, read off the checkpoint) is written
next to the output as ``<out stem>_config.py`` and its path printed;
``--no-config`` skips it. Nothing is written unless the whole conversion succeeds.
"""

import argparse
import os
import sys
from pathlib import Path

import torch

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.converted_config import (
    has_matching_config,
    matching_config_path,
    matching_config_text,
)
from inpaintzoo.models.converters import generator_archs
from inpaintzoo.models.converters.checkpoint_files import convert_official_files
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

#: generator architectures (each converts its own discriminator with ``--dis``)
ARCHS = tuple(generator_archs())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', choices=ARCHS, required=True, help='generator')
    parser.add_argument('generator', help='official InpaintingModel_gen.pth')
    parser.add_argument('out', help='output inpaintzoo checkpoint (.pth)')
    parser.add_argument(
        '--dis',
        help='official InpaintingModel_dis.pth of the same model (converted with '
        "the arch's own discriminator)",
    )
    parser.add_argument(
        '--no-config',
        action='store_true',
        help='do not write the matching config <out stem>_config.py',
    )
    add_debug_argument(parser)
    return parser.parse_args(argv)


def output_problem(out: Path) -> str | None:
    """Why ``out`` cannot be written (checked before converting), or None."""
    if out.is_dir():
        return f'output {out} is a folder; give a file name, e.g. {out / "model.pth"}'
    folder = out.parent
    if not folder.is_dir():
        return f'output folder {folder} does not exist; create it first'
    if not os.access(folder, os.W_OK):
        return f'output folder {folder} is not writable'
    return None


def save_outputs(ckpt: dict, out: Path, config: tuple[Path, str] | None) -> None:
    """Write the checkpoint (and config) or, on any error, neither.

    The checkpoint goes to a temporary name first and is renamed at the end.
    """
    tmp = out.with_name(f'.{out.name}.partial')
    written: list[Path] = []
    try:
        torch.save(ckpt, tmp)
        written.append(tmp)
        if config is not None:
            config[0].write_text(config[1])
            written.append(config[0])
        os.replace(tmp, out)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    problem = output_problem(out)
    if problem is not None:
        print(f'error: {problem}', file=sys.stderr)
        return 2
    try:
        ckpt = convert_official_files(args.arch, args.generator, args.dis)
        meta = ckpt['meta']
        config = None
        if not args.no_config and has_matching_config(args.arch):
            dis = meta.get('discriminator_arch')
            dis = (dis, meta['discriminator_kwargs']) if dis else None
            text = matching_config_text(
                args.arch, meta['official_kwargs'], str(out), dis
            )
            config = (matching_config_path(out), text)
        save_outputs(ckpt, out, config)
    except (CheckpointMismatchError, ConfigError, OSError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'official kwargs: {meta["official_kwargs"]}')
    for key, why in meta['dropped_keys'].items():
        print(f'dropped {key}: {why}')
    print(f'wrote {len(ckpt["state_dict"])} tensors to {out}')
    if args.dis is None:
        print('generator only (no --dis): enough for tools/test.py and inference')
    if config is not None:
        print(f'matching config: {config[0]}')
        print(f'  test: python tools/test.py {config[0]} {out}')
    elif not args.no_config:
        print(
            f'note: no paper config for {args.arch!r}, so no matching config was '
            'written; write one whose model.generator fits the official kwargs above'
        )
    return 0


if __name__ == '__main__':
    run_cli(main)
