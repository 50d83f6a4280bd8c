"""Run models that take exactly one input size (NCLG-MT: ``input_size``²).

Most zoo generators pad to their stride and run any size. NCLG-MT's landmark map
is fixed to its training size (256 for the paper model, 64 for the tiny demo
model), so :func:`inpaintzoo.apis.inpaint` resizes such a model's input to that
size, runs it, and upscales the output back: the caller composites it with the
full-resolution input, so only hole pixels change. Landmarks the model predicts
are mapped back to the input picture's pixel coordinates.

A model is *fixed-size* when it, or its ``generator``, has an integer attribute
``input_size`` (see :func:`fixed_input_size`).
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from inpaintzoo.apis.highres import downscale, upscale

#: number of points of the landmark models (iBUG-300W 68-point order)
NUM_LANDMARKS = 68


def fixed_input_size(model: nn.Module) -> int | None:
    """The one square side ``model`` accepts, or None when any size works.

    Looks for an int ``input_size`` on the model, then on ``model.generator``.
    """
    for owner in (model, getattr(model, 'generator', None)):
        size = getattr(owner, 'input_size', None)
        if isinstance(size, int) and size > 0:
            return size
    return None


def network_call(model: nn.Module) -> Callable[[Tensor, Tensor], Any]:
    """The model's ``(img, mask) -> output`` that keeps predicted landmarks.

    ``model.generate_multi`` (``NCLGInpaintor``: ``(image, landmarks)``) when the
    model has it, else ``model.generate``.
    """
    return getattr(model, 'generate_multi', None) or model.generate


def split_generator_output(out: Any, side: int) -> tuple[Tensor, Tensor | None]:
    """``(image, landmarks)`` of what a generator returned.

    Args:
        out: an ``(N, 3, h, w)`` tensor, or an ``(image, landmarks)`` pair such as
            :class:`~inpaintzoo.models.backbones.nclg_generator.NCLGOutput` with
            landmarks ``(N, 136)`` as fractions of the image side (official
            NCLG-MT) or ``(N, 68, 2)`` in pixels.
        side (int): the input side the fractions refer to.

    Returns:
        tuple: ``(N, 3, h, w)`` image and ``(N, 68, 2)`` float32 (x, y) pixel
        landmarks of the network input, or None when the model predicts none.
    """
    if torch.is_tensor(out):
        return out, None
    image = getattr(out, 'image', None)
    landmarks = getattr(out, 'landmarks', None)
    if image is None and isinstance(out, tuple | list) and len(out) == 2:
        image, landmarks = out
    if not torch.is_tensor(image):
        raise RuntimeError(
            f'the generator returned {type(out).__name__}; expected an (N, 3, H, W) '
            'tensor or an (image, landmarks) pair'
        )
    if landmarks is None:
        return image, None
    landmarks = landmarks.detach().float()
    if landmarks.dim() == 2:  # (N, 2K) fractions of the side (official format)
        landmarks = landmarks.reshape(landmarks.shape[0], -1, 2) * side
    return image, landmarks


class FixedSizeForward:
    """``forward(img, mask) -> raw`` for a fixed-size model, at any input size.

    Each call resizes the input to ``size`` x ``size`` (when it differs), runs
    ``generate``, upscales the raw output back to the input size and records
    the landmarks (if any) in the input's pixel coordinates.

    Args:
        generate (Callable): ``model.generate``: ``(img (N, 3, S, S), mask
            (N, 1, S, S)) -> tensor or (image, landmarks)``.
        size (int | None): the side ``S`` the model takes; None = any size (no
            resizing, landmarks still recorded).

    Attributes:
        landmarks (list[Tensor]): ``(N, 68, 2)`` per call, input pixel (x, y).
        resized (list[tuple[int, int]]): ``(h, w)`` of each call that was resized.
    """

    def __init__(
        self, generate: Callable[[Tensor, Tensor], Any], size: int | None
    ) -> None:
        self.generate = generate
        self.size = size
        self.landmarks: list[Tensor] = []
        self.resized: list[tuple[int, int]] = []

    def __call__(self, img: Tensor, mask: Tensor) -> Tensor:
        """Raw output (N, 3, h, w) of img (N, 3, h, w) and mask (N, 1, h, w)."""
        h, w = img.shape[-2:]
        side = self.size
        if side is None or (h, w) == (side, side):
            image, lmk = split_generator_output(self.generate(img, mask), w)
            if lmk is not None:
                self.landmarks.append(lmk)
            return image
        self.resized.append((h, w))
        img = torch.where(mask > 0.5, torch.zeros_like(img), img)
        small, small_mask = downscale(img, mask, (side, side))
        image, lmk = split_generator_output(self.generate(small, small_mask), side)
        if lmk is not None:
            scale = lmk.new_tensor([w / side, h / side])
            self.landmarks.append(lmk * scale)
        return upscale(image.to(img.dtype), (h, w)).clamp(0, 1)

    def note(self) -> str:
        """Why and how the input was resized ('' when it was not)."""
        if not self.resized:
            return ''
        h, w = self.resized[0]
        s = self.size
        return (
            f'resized {w}x{h} -> {s}x{s}: the model takes exactly {s}x{s} input; '
            f'its output was upscaled back to {w}x{h} and only the hole was taken '
            'from it'
        )

    def landmarks_numpy(self) -> np.ndarray | None:
        """``(68, 2)`` float32 (x, y) of the single call's first image, else None.

        Landmarks are reported only when the whole picture went through the
        network in one call (the ``'whole'`` strategy); tiles or crops give no
        face-wide landmark set.
        """
        if len(self.landmarks) != 1:
            return None
        return self.landmarks[0][0].cpu().numpy().astype(np.float32)
