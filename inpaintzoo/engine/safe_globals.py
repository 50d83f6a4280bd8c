"""The explicit allow-list of Python objects a runner checkpoint may contain.

``torch.load(weights_only=True)`` only rebuilds tensors, containers and plain
values. An MMEngine 0.10.7 runner checkpoint (``iter_N.pth`` written by
``CheckpointHook``) also pickles its ``message_hub``: ``HistoryBuffer`` objects
holding numpy arrays and scalars. Found by experiment
(``torch.serialization.get_unsafe_globals_in_checkpoint`` on a 2-iteration run),
these globals appear:

* ``mmengine.logging.history_buffer.HistoryBuffer``
* ``numpy.ndarray``, ``numpy.dtype``, ``numpy._core.multiarray._reconstruct`` and
  ``numpy._core.multiarray.scalar`` (``numpy.core.multiarray`` under numpy 1.x),
  plus the concrete dtype classes (``numpy.dtypes.Float64DType``, ...) that the
  unpickler checks when it restores a dtype's state;
* ``builtins.getattr``: ``HistoryBuffer.__getstate__`` stores its statistics
  methods, which pickle protocol 2 writes as ``getattr(HistoryBuffer, 'min')``.

Allowing the real ``getattr`` would let a crafted file reach any attribute of any
allowed object, so ``builtins.getattr`` is mapped to
:func:`history_buffer_statistic`, which returns only MMEngine's four default
statistics methods and refuses everything else.

Nothing here changes torch's global allow-list at import time:
:func:`runner_checkpoint_globals` adds the entries only for the duration of a
``with`` block.
"""

import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

#: the statistics methods ``HistoryBuffer`` registers for itself
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')


def history_buffer_statistic(owner: Any, name: str) -> Callable:
    """Stand-in for ``builtins.getattr`` while unpickling a runner checkpoint.

    Args:
        owner: the object the pickle asks an attribute of; must be
            ``HistoryBuffer`` itself.
        name: the attribute; one of ``min``, ``max``, ``current``, ``mean``.

    Returns:
        The unbound ``HistoryBuffer`` method.

    Raises:
        pickle.UnpicklingError: for any other object or attribute.
    """
    if owner is HistoryBuffer and name in _HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'refusing getattr({owner!r}, {name!r}) while loading a checkpoint: only '
        f'HistoryBuffer.{{{",".join(_HISTORY_BUFFER_METHODS)}}} are allowed'
    )


def _numpy_multiarray_globals() -> list[tuple[Any, str]]:
    """``_reconstruct`` and ``scalar`` under the module names numpy 1 and 2 write."""
    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    return [
        (getattr(multiarray, fn), f'{package}.multiarray.{fn}')
        for fn in ('_reconstruct', 'scalar')
        for package in ('numpy.core', 'numpy._core')
    ]


def _numpy_dtype_classes() -> list[type]:
    """The concrete dtype classes of the numeric/bool dtypes (numpy >= 1.25)."""
    names = (
        'bool',
        'int8',
        'int16',
        'int32',
        'int64',
        'uint8',
        'uint16',
        'uint32',
        'uint64',
        'float16',
        'float32',
        'float64',
    )
    classes = [type(np.dtype(n)) for n in names]
    return [c for c in classes if c is not np.dtype]


def runner_checkpoint_allow_list() -> list[Any]:
    """The entries passed to ``torch.serialization.safe_globals`` (see module doc).

    Returns:
        A list of classes/functions and ``(object, 'module.name')`` pairs.
    """
    return [
        HistoryBuffer,
        np.ndarray,
        np.dtype,
        *_numpy_dtype_classes(),
        *_numpy_multiarray_globals(),
        (history_buffer_statistic, 'builtins.getattr'),
    ]


@contextmanager
def runner_checkpoint_globals() -> Iterator[None]:
    """Allow :func:`runner_checkpoint_allow_list` inside the block only.

    Entries that were already on torch's allow-list before the block stay there
    afterwards; the others are removed again, so the global list is unchanged.
    """
    present = set(torch.serialization.get_safe_globals())
    missing = [g for g in runner_checkpoint_allow_list() if g not in present]
    with torch.serialization.safe_globals(missing):
        yield
