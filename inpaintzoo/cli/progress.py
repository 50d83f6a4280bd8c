"""Progress bar of the console script: tqdm on stderr, only when it helps."""

import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar('T')


def progress_enabled(
    count: int, forced: bool | None = None, stream: TextIO | None = None
) -> bool:
    """Whether to draw a progress bar over ``count`` items.

    Args:
        count (int): number of items.
        forced (bool, optional): ``--progress`` (True) / ``--no-progress``
            (False); None decides by the terminal.
        stream (TextIO, optional): where the bar goes. Defaults to stderr.

    Returns:
        bool: never for one item or none; else ``forced``, or whether ``stream``
        is a terminal.
    """
    if count <= 1:
        return False
    if forced is not None:
        return forced
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, 'isatty', None)
    return bool(isatty and isatty())


def progress(
    items: Iterable[T], total: int, enabled: bool, desc: str = 'inpainting'
) -> Iterator[T]:
    """Iterate over ``items``, with a tqdm bar on stderr when ``enabled``.

    Without tqdm installed, a line ``[k/total]`` per item is written instead.
    """
    if not enabled:
        yield from items
        return
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm comes with lpips; keep working without it
        for k, item in enumerate(items, 1):
            print(f'[{k}/{total}] {desc}', file=sys.stderr, flush=True)
            yield item
        return
    yield from tqdm(items, total=total, desc=desc, unit='img', file=sys.stderr)


def emit(line: str) -> None:
    """Print ``line`` on stdout without breaking a progress bar on stderr."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(line, flush=True)
        return
    tqdm.write(line, file=sys.stdout)


def note(line: str) -> None:
    """Print ``line`` on stderr without breaking a progress bar there."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(line, file=sys.stderr, flush=True)
        return
    tqdm.write(line, file=sys.stderr)
