"""Options the analysis tools share: input size, device, threads, a JSON ``--out``."""

import argparse
import json
from typing import Any

import torch

from inpaintzoo.apis.mask_inputs import MASK_CONVENTIONS


def add_shape_arguments(parser: argparse.ArgumentParser, device: bool = True) -> None:
    """Add ``--shape H W`` (256 256), ``--batch N`` (1) and ``--device``.

    Args:
        parser (ArgumentParser): the tool's parser.
        device (bool): also add ``--device`` (default ``cuda`` where available,
            else ``cpu``).
    """
    parser.add_argument(
        '--shape', type=int, nargs=2, default=(256, 256), metavar=('H', 'W')
    )
    parser.add_argument('--batch', type=int, default=1)
    if device:
        parser.add_argument(
            '--device', default='cuda' if torch.cuda.is_available() else 'cpu'
        )


def add_timing_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--warmup N`` (untimed forwards, 1) and ``--runs N`` (timed, 3)."""
    parser.add_argument(
        '--warmup', type=int, default=1, help='untimed forwards (per process)'
    )
    parser.add_argument(
        '--runs', type=int, default=3, help='timed forwards (per process)'
    )


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--threads N`` (torch CPU threads; default: torch's choice)."""
    parser.add_argument('--threads', type=int, default=None, help='CPU threads')


def set_threads(threads: int | None) -> None:
    """Apply ``--threads``: ``torch.set_num_threads(threads)`` when given (> 0).

    Args:
        threads (int, optional): CPU threads; None or 0 keeps torch's default.
    """
    if threads:
        torch.set_num_threads(threads)


def write_json(path: str | None, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` and say so; nothing if None.

    Args:
        path (str, optional): the ``--out`` file.
        data: anything :func:`json.dump` takes.
    """
    if not path:
        return
    with open(path, 'w') as f:
        json.dump(data, f, indent=2)
    print(f'wrote {path}')


#: ``--mask-convention`` spellings -> the mask reader's name: the CLI's names
#: (:data:`~inpaintzoo.apis.mask_inputs.MASK_CONVENTIONS`) first, then the reader's own
MASK_CONVENTION_SPELLINGS = {
    **MASK_CONVENTIONS,
    **{reader: reader for reader in MASK_CONVENTIONS.values()},
}


def add_mask_convention_argument(
    parser: argparse.ArgumentParser, flag: str = '--mask-convention'
) -> None:
    """Add a mask convention option taking both spellings the tools use.

    ``hole-white`` / ``known-white`` (the ``inpaintzoo`` commands' names) and
    ``white_hole`` / ``black_hole`` (the mask reader's names) are accepted and
    kept as given (default ``'hole-white'``: white = hole); :func:`mask_convention`
    gives the reader's name of either.

    Args:
        parser (ArgumentParser): the tool's parser.
        flag (str): the option's name.
    """
    parser.add_argument(
        flag,
        choices=tuple(MASK_CONVENTION_SPELLINGS),
        default='hole-white',
        help='hole-white (default): white = hole; known-white: black = hole '
        '(LaMa/MAT masks). white_hole / black_hole are the same two',
    )


def mask_convention(value: str) -> str:
    """The mask reader's name of a parsed convention option (either spelling)."""
    return MASK_CONVENTION_SPELLINGS[value]
