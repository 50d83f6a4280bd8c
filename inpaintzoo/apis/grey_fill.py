"""A grey picture gets a grey fill: the hole's colours made grey after inpainting.

The networks were trained on colour photos and may put colour into the hole of
a black-and-white picture; :func:`grey_fill_if_grey` makes the hole grey (its
luma) when every known pixel is grey.
"""

import numpy as np

#: channel spread (levels) up to which a known pixel counts as grey (JPEG noise)
GREY_TOLERANCE = 2


def is_grey_picture(image: np.ndarray, hole: np.ndarray) -> bool:
    """Whether every known pixel of ``image`` is grey (R, G, B within 2 levels).

    True for grey files (read as three equal channels) and for grey pictures
    saved as RGB (an old black-and-white photo scanned in colour).

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        hole (np.ndarray): (H, W) float, 1 = hole.

    Returns:
        bool: False when there is no known pixel.
    """
    known = image[hole < 0.5].astype(np.int16)
    if not known.size:
        return False
    return int((known.max(axis=1) - known.min(axis=1)).max()) <= GREY_TOLERANCE


def grey_fill(composite: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``composite`` with its hole pixels made grey: their luma in all channels.

    Luma is ITU-R 601 (``0.299 R + 0.587 G + 0.114 B``, Pillow's ``'L'``), rounded.

    Args:
        composite (np.ndarray): (H, W, 3) uint8 RGB.
        hole (np.ndarray): (H, W) float, 1 = hole.

    Returns:
        np.ndarray: (H, W, 3) uint8, a copy.
    """
    out = composite.copy()
    inside = hole >= 0.5
    rgb = out[inside].astype(np.float32)
    luma = np.rint(rgb @ np.array([0.299, 0.587, 0.114], np.float32))
    out[inside] = np.clip(luma, 0, 255).astype(np.uint8)[:, None]
    return out


def grey_fill_if_grey(
    composite: np.ndarray, image: np.ndarray, hole: np.ndarray
) -> np.ndarray:
    """:func:`grey_fill` of ``composite`` if ``image`` is grey, else ``composite``.

    Args:
        composite (np.ndarray): (H, W, 3) uint8 RGB result.
        image (np.ndarray): (H, W, 3) uint8 RGB input.
        hole (np.ndarray): (H, W) float, 1 = hole.
    """
    return grey_fill(composite, hole) if is_grey_picture(image, hole) else composite
