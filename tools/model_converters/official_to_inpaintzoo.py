"""Convert official HINT / MxT / SEM-Net / NCLG-MT checkpoints to inpaintzoo ones.

Example::

    python tools/model_converters/official_to_inpaintzoo.py --arch hint \
        InpaintingModel_gen.pth hint_official.pth --dis InpaintingModel_dis.pth

The same as ``inpaintzoo convert`` (:mod:`inpaintzoo.cli.cmd_convert`), which an
installed package offers without this script. ``--arch`` names the generator;
``--dis`` is converted with that generator's own discriminator (the PatchGAN of
HINT / MxT / SEM-Net, the PatchGAN with short+long attention of NCLG-MT), and a
discriminator of the other kind is refused. The output is
``{'state_dict': {'generator.<k>': ..., 'discriminator.<k>': ...}, 'meta': {...}}``;
dead official keys (MxT, SEM-Net, NCLG-MT) are dropped and listed. Without
``--dis`` the file holds the generator only, which is all testing and inference
need. The matching inpaintzoo config (the paper config with the generator, and
the discriminator when given, read off the checkpoint) is written next to the
output as ``<out stem>_config.py`` and its path printed; ``--no-config`` skips
it. Nothing is written unless the whole conversion succeeds.
"""

import argparse
import sys
import traceback

from inpaintzoo.apis.cli import (
    USER_ERROR_EXIT,
    add_debug_argument,
    debug_enabled,
    error_message,
    is_user_error,
    run_cli,
)
from inpaintzoo.cli.cmd_convert import ARCHS, add_convert_arguments, run_convert

__all__ = ['ARCHS', 'main', 'parse_args']


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_convert_arguments(parser)
    add_debug_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Convert; a user error is one ``error:`` line and status 2 (as ``run_cli``)."""
    args = parse_args(argv)
    try:
        return run_convert(args)
    except Exception as exc:
        if not is_user_error(exc):
            raise
        if args.debug or debug_enabled([]):
            traceback.print_exc()
        print(f'error: {error_message(exc)}', file=sys.stderr)
        return USER_ERROR_EXIT


if __name__ == '__main__':
    run_cli(main)
