"""Python warnings of the API shown the console script's way: one line each.

``warnings.warn`` prints two lines (``file:line: Category: message`` and the
source line); the ``inpaintzoo`` commands print their notes as one line
``warning: ...`` on stderr through :func:`inpaintzoo.cli.progress.note`, so a
progress bar there is not broken. Warnings of other categories keep Python's
usual display.
"""

import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO

from inpaintzoo.cli.progress import note

#: the line for ``RandomWeightsWarning`` (a config without ``--checkpoint``)
RANDOM_WEIGHTS_LINE = (
    'no --checkpoint given, so the model has random weights and its results are '
    'noise; pass --checkpoint FILE'
)


@contextmanager
def warnings_as_lines(
    *categories: type[Warning],
    wording: Callable[[str], str] = str,
) -> Iterator[None]:
    """Show warnings of ``categories`` as one line ``warning: ...`` on stderr.

    Every occurrence is shown (``'always'``), since each names its own file.

    Args:
        *categories (type[Warning]): the categories (subclasses included).
        wording (Callable[[str], str]): the line's text from the warning's
            message. Defaults to the message itself.
    """
    with warnings.catch_warnings():
        for category in categories:
            warnings.simplefilter('always', category)
        shown = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, categories):
                note(f'warning: {wording(str(message))}')
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def random_weights_as_line(also: str = '') -> AbstractContextManager[None]:
    """:func:`warnings_as_lines` for ``init_model``'s random-weights warning.

    Its message names the Python function; the line names ``--checkpoint``
    (:data:`RANDOM_WEIGHTS_LINE`).

    Args:
        also (str): appended to the line, e.g. ``' (or a zoo model name ...)'``.
    """
    from inpaintzoo.apis.inference import RandomWeightsWarning  # imports torch

    line = RANDOM_WEIGHTS_LINE + also
    return warnings_as_lines(RandomWeightsWarning, wording=lambda _: line)
