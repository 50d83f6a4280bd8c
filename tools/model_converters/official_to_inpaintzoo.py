"""Convert official HINT / MxT / SEM-Net checkpoints to an inpaintzoo checkpoint.

Example::

    python tools/model_converters/official_to_inpaintzoo.py --arch hint \
        InpaintingModel_gen.pth hint_official.pth --dis InpaintingModel_dis.pth

The output is ``{'state_dict': {'generator.<k>': ..., 'discriminator.<k>': ...},
'meta': {...}}``; dead official keys (MxT, SEM-Net) are dropped and listed.
Without ``--dis`` the file holds the generator only, which is all testing and
inference need. The matching inpaintzoo config (the paper config with the
generator read off the checkpoint) is written next to the output as
``<out stem>_config.py`` and its path printed; ``--no-config`` skips it.
"""

import argparse
import sys

import torch

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.converted_config import write_matching_config
from inpaintzoo.models.converters import list_archs
from inpaintzoo.models.converters.checkpoint_files import convert_official_files
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

#: generator architectures (the discriminator is converted with ``--dis``)
ARCHS = tuple(a for a in list_archs() if a != 'discriminator')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', choices=ARCHS, required=True)
    parser.add_argument('generator', help='official InpaintingModel_gen.pth')
    parser.add_argument('out', help='output inpaintzoo checkpoint (.pth)')
    parser.add_argument('--dis', help='official InpaintingModel_dis.pth')
    parser.add_argument(
        '--no-config',
        action='store_true',
        help='do not write the matching config <out stem>_config.py',
    )
    add_debug_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        ckpt = convert_official_files(args.arch, args.generator, args.dis)
    except (CheckpointMismatchError, ConfigError, OSError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    torch.save(ckpt, args.out)
    meta = ckpt['meta']
    print(f'official kwargs: {meta["official_kwargs"]}')
    for key, why in meta['dropped_keys'].items():
        print(f'dropped {key}: {why}')
    print(f'wrote {len(ckpt["state_dict"])} tensors to {args.out}')
    if args.dis is None:
        print('generator only (no --dis): enough for tools/test.py and inference')
    if not args.no_config:
        config = write_matching_config(args.arch, meta['official_kwargs'], args.out)
        print(f'matching config: {config}')
        print(f'  test: python tools/test.py {config} {args.out}')
    return 0


if __name__ == '__main__':
    run_cli(main)
