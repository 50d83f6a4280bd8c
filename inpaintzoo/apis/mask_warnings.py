"""Warnings about masks that are valid but almost surely not what was meant.

:func:`warn_unusual_hole` warns (:class:`NoHoleWarning`) when a mask has no hole
pixel, so the image would come back unchanged, and (:class:`AllHoleWarning`)
when it is hole everywhere; both are :class:`MaskWarning`, which the CLI prints
as one ``warning:`` line each.
"""

import warnings
from typing import Any

import numpy as np

from inpaintzoo.apis.inputs import input_name
from inpaintzoo.apis.mask_inputs import DEFAULT_MASK_THRESHOLD


class MaskWarning(UserWarning):
    """A mask that is valid but almost surely not what the user meant."""


class NoHoleWarning(MaskWarning):
    """A mask without a hole pixel: the image comes back unchanged."""


class AllHoleWarning(MaskWarning):
    """A mask that is hole everywhere: nothing of the image is kept."""


def _hole_rule(convention: str, threshold: float) -> str:
    """How a value becomes a hole, for messages.

    E.g. ``'a value above 127 is a hole with hole-white'``.
    """
    if convention == 'known-white':
        return f'a value below {255 - threshold:g} is a hole with {convention}'
    return f'a value above {threshold:g} is a hole with {convention}'


def warn_unusual_hole(
    hole: np.ndarray,
    values: np.ndarray,
    image_src: Any,
    mask_src: Any,
    convention: str = 'hole-white',
    threshold: float = DEFAULT_MASK_THRESHOLD,
) -> None:
    """Warn when a mask has no hole pixel, or is hole everywhere.

    Args:
        hole (np.ndarray): (H, W) float32, 1 = hole (:func:`hole_and_values`).
        values (np.ndarray): (H, W) uint8 values it was thresholded from.
        image_src: the image as given (named in the message).
        mask_src: the mask as given (named in the message).
        convention (str): ``'hole-white'`` or ``'known-white'``.
        threshold (float): the threshold used.

    Warns:
        NoHoleWarning: no hole pixel (the values' range and the rule are named).
        AllHoleWarning: every pixel is a hole.
    """
    if not hole.size:
        return
    where = f'mask {input_name(mask_src)} (for image {input_name(image_src)})'
    if not hole.any():
        warnings.warn(
            f'{where} has no hole pixel: its values lie in [{int(values.min())}, '
            f'{int(values.max())}] and {_hole_rule(convention, threshold)}; the '
            'image is returned unchanged (check the mask, its convention and the '
            'threshold)',
            NoHoleWarning,
            stacklevel=3,
        )
    elif hole.all():
        warnings.warn(
            f'{where} is hole everywhere ({_hole_rule(convention, threshold)}): '
            'the model invents the whole picture, nothing of the image is kept '
            '(check the mask and its convention)',
            AllHoleWarning,
            stacklevel=3,
        )
