"""High-resolution inference strategies, independent of the network.

:func:`run_strategy` inpaints a large image with any ``forward(img, mask)``
callable that runs a network on an arbitrary size (padding to the network's
stride and cropping back is the callable's job; ``BaseInpaintor.generate`` does
it). Four strategies:

``'whole'``
    The full image goes through the network once. The SSM models (MxT, SEM-Net)
    are linear in the number of pixels, but the activations of a 72-80 M
    parameter U-Net at 5 megapixels still take tens of GiB.
``'sliding'``
    Overlapping ``tile x tile`` windows, evenly spaced so that neighbours share
    at least ``overlap`` pixels; tiles without a hole pixel are skipped (they
    need no network). Outputs are blended with feathered weights: each tile's
    weight ramps linearly across the band it shares with a neighbour and the
    weights are normalised to sum to 1 at every pixel, so there is no seam.
``'crop'``
    One window per group of hole components (8-connected): the component's
    bounding box grown ``context`` times (at least ``train_size`` on each side),
    windows that intersect merged. A window with more than ``train_size ** 2``
    pixels is downscaled to about that many, inpainted and upscaled; the result is
    pasted back only onto the pixels of its own hole components.
``'resize'``
    The image is downscaled to about ``train_size ** 2`` pixels, inpainted, and
    only the hole is taken from the upscaled result.

The returned tensor is the *raw* output: the caller composites it with the input
(prediction inside the hole, input outside). For ``'crop'`` and ``'resize'`` it
equals the input outside the hole; for ``'sliding'`` it is the blended network
output where a processed tile covers the pixel and the input elsewhere.
"""

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from inpaintzoo.apis.highres_tiles import Box, blend_tiles
from inpaintzoo.apis.hole_windows import crop_windows, label_holes
from inpaintzoo.utils.errors import ConfigError, InvalidImageError, InvalidMaskError

Forward = Callable[[Tensor, Tensor], Tensor]

STRATEGIES = ('whole', 'sliding', 'crop', 'resize')
#: what ``inpaint(strategy=...)`` takes: ``'auto'`` (its default) picks one of
#: :data:`STRATEGIES` per picture (:func:`auto_strategy`)
INPAINT_STRATEGIES = ('auto', *STRATEGIES)
#: ``strategy='auto'`` (the default of ``inpaint`` and ``inpaintzoo inpaint``):
#: ``'whole'`` up to this many pixels, ``'crop'`` above. The whole-image pass keeps
#: every activation at full size: about 1 megapixel stays within roughly 10 GiB on
#: a CPU for the paper-size models (docs/benchmarks.md), a 12 MP phone photo
#: would need over 100 GiB.
AUTO_WHOLE_MAX_PIXELS = 1024 * 1024


def auto_strategy(height: int, width: int, large: str = 'crop') -> str:
    """What ``strategy='auto'`` runs for an ``height x width`` picture.

    Args:
        height (int): picture height.
        width (int): picture width.
        large (str): the strategy above the limit: ``'crop'`` (inpainting:
            windows around the holes, downscaled to about the training size) or
            ``'sliding'`` (restoration: tiles, no mask).

    Returns:
        str: ``'whole'`` up to :data:`AUTO_WHOLE_MAX_PIXELS` pixels, else ``large``.
    """
    return 'whole' if height * width <= AUTO_WHOLE_MAX_PIXELS else large


#: options each strategy accepts, with their defaults
STRATEGY_OPTIONS: dict[str, dict[str, object]] = {
    'whole': {},
    'sliding': {'tile': 512, 'overlap': 64, 'skip_empty': True},
    'crop': {'context': 2.0},
    'resize': {},
}


def _check_inputs(image: Tensor, mask: Tensor) -> None:
    if not torch.is_tensor(image) or image.dim() != 4 or image.shape[1] != 3:
        shape = tuple(image.shape) if torch.is_tensor(image) else type(image).__name__
        raise InvalidImageError(
            f'run_strategy image must be a (N, 3, H, W) float tensor in [0, 1], '
            f'got {shape}'
        )
    if not image.is_floating_point():
        raise InvalidImageError(
            f'run_strategy image has dtype {image.dtype}; convert uint8 images '
            'with img.float() / 255'
        )
    want = (image.shape[0], 1, *image.shape[2:])
    if not torch.is_tensor(mask) or tuple(mask.shape) != want:
        shape = tuple(mask.shape) if torch.is_tensor(mask) else type(mask).__name__
        raise InvalidMaskError(
            f'run_strategy mask must have shape {want} (1 = hole) to match the '
            f'image {tuple(image.shape)}, got {shape}'
        )


def check_tile_overlap(
    tile: int, overlap: int, defaulted: tuple[str, ...] = ()
) -> tuple[int, int]:
    """``(tile, overlap)`` as ints, checked for the sliding window.

    Args:
        tile (int): tile side.
        overlap (int): least overlap of neighbouring tiles.
        defaulted (tuple[str, ...]): which of ``'tile'`` / ``'overlap'`` took
            their default (the message then says so and names the option).

    Raises:
        ConfigError: unless ``tile >= 1`` and ``0 <= overlap <= tile / 2``.
    """
    tile, overlap = int(tile), int(overlap)
    if tile < 1 or overlap < 0 or 2 * overlap > tile:
        raise ConfigError(
            f'sliding needs tile >= 1 and 0 <= overlap <= tile / 2, got '
            f'{_tiling_values(tile, overlap, defaulted)}'
        )
    return tile, overlap


def _tiling_values(tile: int, overlap: int, defaulted: tuple[str, ...]) -> str:
    """``'tile=64, overlap=64'``, saying which value is a default and what to pass."""
    if 'overlap' in defaulted and tile >= 1 and 'tile' not in defaulted:
        return (
            f'tile={tile} with the default overlap={overlap}; pass a smaller '
            f'overlap too (--overlap {tile // 2} or less; overlap= in Python)'
        )
    if 'tile' in defaulted and 'overlap' not in defaulted:
        return (
            f'overlap={overlap} with the default tile={tile}; pass a larger tile '
            f'too (--tile {max(2 * overlap, 1)} or more; tile= in Python)'
        )
    return f'tile={tile}, overlap={overlap}'


def check_strategy(strategy: object, allowed: tuple[str, ...] = STRATEGIES) -> str:
    """Refuse a strategy name outside ``allowed``.

    Args:
        strategy: the name given.
        allowed (tuple[str, ...]): :data:`STRATEGIES` (:func:`run_strategy`) or
            :data:`INPAINT_STRATEGIES` (``inpaint()``).

    Returns:
        str: ``strategy``.

    Raises:
        ConfigError: naming every accepted value; when ``'auto'`` is not among
            them, the message says where it is taken.
    """
    if strategy in allowed:
        return str(strategy)
    names = ', '.join(repr(name) for name in allowed)
    auto = '' if 'auto' in allowed else " ('auto' is taken by inpaint(), not here)"
    raise ConfigError(f'strategy must be one of {names}{auto}, got {strategy!r}')


def _resolve_options(strategy: str, options: dict) -> dict:
    check_strategy(strategy)
    allowed = STRATEGY_OPTIONS[strategy]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        accepted = ', '.join(allowed) or 'none'
        raise ConfigError(
            f'strategy {strategy!r} got unknown option(s) {unknown}; it accepts: '
            f'{accepted}'
        )
    resolved = {**allowed, **options}
    if strategy == 'sliding':
        defaulted = tuple(k for k in ('tile', 'overlap') if k not in options)
        tile, overlap = check_tile_overlap(
            resolved['tile'], resolved['overlap'], defaulted
        )
        resolved.update(tile=tile, overlap=overlap)
    if strategy == 'crop':
        check_context(resolved['context'])
    return resolved


def check_context(context: object) -> float:
    """The ``'crop'`` context as a float, checked: finite and at least 1.

    Raises:
        ConfigError: ``context`` is not a number, below 1, NaN or infinite.
    """
    try:
        value = float(context)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value >= 1.0):
        raise ConfigError(
            f'crop needs context >= 1 (window side / hole side), a finite number, '
            f'got {context!r}'
        )
    return value


def _call(forward: Forward, img: Tensor, mask: Tensor) -> Tensor:
    """Run ``forward`` and check that it returned a (1, 3, h, w) tensor."""
    out = forward(img, mask)
    want = (img.shape[0], 3, *img.shape[2:])
    if not torch.is_tensor(out) or tuple(out.shape) != want:
        got = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        raise RuntimeError(
            f'forward(img, mask) must return {want} for an input of '
            f'{tuple(img.shape)} (pad to the stride and crop back), got {got}'
        )
    return out.to(img.dtype)


def fit_size(height: int, width: int, max_pixels: int) -> tuple[int, int]:
    """Size with the same aspect ratio and at most about ``max_pixels`` pixels.

    Args:
        height (int): H.
        width (int): W.
        max_pixels (int): pixel budget (``train_size ** 2``).

    Returns:
        tuple[int, int]: ``(H, W)`` unchanged when ``H * W <= max_pixels``,
        otherwise both scaled by ``sqrt(max_pixels / (H * W))`` and rounded down
        (at least 1).
    """
    if height * width <= max_pixels:
        return height, width
    scale = math.sqrt(max_pixels / (height * width))
    return max(1, int(height * scale)), max(1, int(width * scale))


def downscale(
    image: Tensor, mask: Tensor, size: tuple[int, int]
) -> tuple[Tensor, Tensor]:
    """Resize an image and its mask; a cell touching any hole pixel is a hole.

    Named for its use here (to the model's working size); a fixed-size model
    (:mod:`inpaintzoo.apis.fixed_size`) may also need a larger size.

    Args:
        image (Tensor): (N, 3, H, W); hole pixels must already be finite.
        mask (Tensor): (N, 1, H, W) in {0, 1}, 1 = hole.
        size (tuple[int, int]): target ``(h, w)``.

    Returns:
        tuple[Tensor, Tensor]: (N, 3, h, w) bilinear image (antialiased when
        shrinking) and (N, 1, h, w) mask in {0, 1}.
    """
    if tuple(size) == tuple(image.shape[-2:]):
        return image, mask
    shrink = size[0] < image.shape[-2] or size[1] < image.shape[-1]
    small = F.interpolate(image, size=size, mode='bilinear', antialias=shrink)
    small_mask = (F.interpolate(mask, size=size, mode='area') > 0).to(mask.dtype)
    return small.clamp(0, 1), small_mask


def upscale(out: Tensor, size: tuple[int, int]) -> Tensor:
    """Bilinear resize of an output back to ``size`` (antialiased when shrinking).

    No overshoot outside the input's range.
    """
    if tuple(size) == tuple(out.shape[-2:]):
        return out
    shrink = size[0] < out.shape[-2] or size[1] < out.shape[-1]
    return F.interpolate(
        out, size=size, mode='bilinear', align_corners=False, antialias=shrink
    )


# --------------------------------------------------------------------- sliding


def _sliding(
    forward: Forward,
    image: Tensor,
    mask: Tensor,
    tile: int,
    overlap: int,
    skip_empty: bool,
) -> Tensor:
    def run(box: Box) -> Tensor | None:
        top, bottom, left, right = box
        tile_mask = mask[..., top:bottom, left:right]
        if skip_empty and not bool((tile_mask > 0.5).any()):
            return None
        return _call(forward, image[..., top:bottom, left:right], tile_mask)

    acc, wsum = blend_tiles(image, tile, overlap, run)
    covered = wsum > 0
    return torch.where(covered, acc / wsum.clamp_min(1e-12), image)


# ------------------------------------------------------------------------ crop


def _crop(
    forward: Forward, image: Tensor, mask: Tensor, context: float, train_size: int
) -> Tensor:
    labels, _ = label_holes((mask[0, 0] > 0.5).cpu().numpy())
    labels_t = torch.from_numpy(labels).to(image.device)
    result = image.clone()
    for (top, bottom, left, right), group in crop_windows(labels, context, train_size):
        win_img = image[..., top:bottom, left:right]
        win_mask = mask[..., top:bottom, left:right]
        size = fit_size(bottom - top, right - left, train_size**2)
        small, small_mask = downscale(win_img, win_mask, size)
        out = upscale(_call(forward, small, small_mask), (bottom - top, right - left))
        ids = torch.tensor(group, device=image.device, dtype=labels_t.dtype)
        own = torch.isin(labels_t[top:bottom, left:right], ids)[None, None]
        view = result[..., top:bottom, left:right]
        view.copy_(torch.where(own, out, view))
    return result


# ---------------------------------------------------------------------- resize


def _resize(forward: Forward, image: Tensor, mask: Tensor, train_size: int) -> Tensor:
    height, width = image.shape[-2:]
    small, small_mask = downscale(image, mask, fit_size(height, width, train_size**2))
    out = upscale(_call(forward, small, small_mask), (height, width))
    return torch.where(mask > 0.5, out, image)


@torch.inference_mode()
def run_strategy(
    strategy: str,
    forward: Forward,
    image: Tensor,
    mask: Tensor,
    *,
    train_size: int = 256,
    **options,
) -> Tensor:
    """Inpaint a (possibly very large) image with one of :data:`STRATEGIES`.

    Args:
        strategy (str): ``'whole'``, ``'sliding'``, ``'crop'`` or ``'resize'``.
        forward (Callable): ``forward(img (1, 3, h, w), mask (1, 1, h, w)) ->
            (1, 3, h, w)`` raw network output in [0, 1] for any ``h, w``.
        image (Tensor): (N, 3, H, W) float in [0, 1]; hole pixels may hold
            anything (they are zeroed before any resampling).
        mask (Tensor): (N, 1, H, W) float, 1 = hole (``> 0.5``).
        train_size (int): the training resolution; ``'crop'`` windows are at
            least this wide and both ``'crop'`` and ``'resize'`` downscale to about
            ``train_size ** 2`` pixels. Defaults to 256.
        **options: ``'sliding'``: ``tile`` (512), ``overlap`` (64),
            ``skip_empty`` (True); ``'crop'``: ``context`` (2.0).

    Returns:
        Tensor: (N, 3, H, W) raw output (composite it with the input).

    Raises:
        ConfigError: unknown strategy or option, or a bad option value.
        InvalidImageError: ``image`` is not (N, 3, H, W) float.
        InvalidMaskError: ``mask`` is not (N, 1, H, W).
    """
    opts = _resolve_options(strategy, options)
    _check_inputs(image, mask)
    if int(train_size) < 1:
        raise ConfigError(f'train_size must be >= 1, got {train_size!r}')
    if image.shape[0] > 1:
        return torch.cat(
            [
                run_strategy(
                    strategy,
                    forward,
                    image[i : i + 1],
                    mask[i : i + 1],
                    train_size=train_size,
                    **options,
                )
                for i in range(image.shape[0])
            ]
        )
    if strategy == 'whole':
        return _call(forward, image, mask)
    mask = (mask > 0.5).to(image.dtype)
    if not bool(mask.any()):
        return image.clone()  # nothing to inpaint: no network call
    image = torch.where(mask > 0.5, torch.zeros_like(image), image)
    if strategy == 'sliding':
        return _sliding(
            forward,
            image,
            mask,
            opts['tile'],
            opts['overlap'],
            bool(opts['skip_empty']),
        )
    if strategy == 'crop':
        return _crop(forward, image, mask, float(opts['context']), int(train_size))
    return _resize(forward, image, mask, int(train_size))
