"""Options the analysis tools share: ``--threads`` and a JSON ``--out`` file."""

import argparse
import json
from typing import Any

import torch


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
