"""A made-up, mirror-symmetric 68-point face for landmark tests (no detector needed).

The points are written out from simple shapes, independent of ``FLIP_PAIRS_68``:
a frontal face in a 256x256 image, symmetric about x = 127.5. The flip mirrors
landmarks in the pixel-corner convention (``x -> 256 - x``, about x = 128), so
flip tests shift it by +0.5 in x first; mirroring that with swapped left/right
indices must give the same array back.
"""

import math

import numpy as np


def face68() -> np.ndarray:
    """(68, 2) float32 (x, y): a plausible frontal face in a 256x256 image."""
    pts: list[tuple[float, float]] = []
    for k in range(17):  # jaw: a half ellipse from the image-left ear to the right
        t = math.pi - k * math.pi / 16
        pts.append((127.5 + 80 * math.cos(t), 120 + 90 * math.sin(t)))
    for i in range(5):  # subject's right eyebrow (image left), outer to inner
        pts.append((70 + 11.25 * i, 95 - 6 * math.sin(math.pi * i / 4)))
    for j in range(5):  # subject's left eyebrow, inner to outer
        pts.append((140 + 11.25 * j, 95 - 6 * math.sin(math.pi * j / 4)))
    pts += [(127.5, 105), (127.5, 118), (127.5, 131), (127.5, 144)]  # bridge
    pts += [(110, 155), (118, 158), (127.5, 160), (137, 158), (145, 155)]
    # right eye (image left): outer corner, upper lid, inner corner, lower lid
    pts += [(75, 110), (83, 104), (97, 104), (105, 110), (97, 115), (83, 115)]
    # left eye: inner corner, upper lid, outer corner, lower lid
    pts += [(150, 110), (158, 104), (172, 104), (180, 110), (172, 115), (158, 115)]
    pts += [  # outer lip, from the right mouth corner (image left), clockwise
        (100, 185), (110, 178), (120, 175), (127.5, 177), (135, 175), (145, 178),
        (155, 185), (145, 192), (135, 196), (127.5, 197), (120, 196), (110, 192),
    ]  # fmt: skip
    pts += [  # inner lip
        (106, 185), (118, 182), (127.5, 182), (137, 182),
        (149, 185), (137, 188), (127.5, 189), (118, 188),
    ]  # fmt: skip
    arr = np.array(pts, dtype=np.float32)
    assert arr.shape == (68, 2)
    return arr
