"""The end of ``make demo``: inpaint an unseen picture with the console script.

After training, the demo model inpaints a picture it never saw (scikit-image's
``camera``, cropped to an odd 151 x 101; the demo data set uses astronaut, coffee,
immunohistochemistry and motorcycle for training, chelsea for testing and rocket
for validation) under a fixed free-form mask. The model runs through
:func:`inpaintzoo.cli.main.cli_main` -- the code path of
``inpaintzoo inpaint`` -- and OpenCV's Telea fills the same hole. A side-by-side
figure ``input | mask | Telea | model`` with labels (and whole-image PSNR) is
written as a PNG.
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from inpaintzoo.cli.main import cli_main

#: scikit-image picture used for the figure (not in the demo data set)
DEMO_PICTURE = 'camera'
#: (top, left, height, width) of the crop of the 512 x 512 picture
DEMO_CROP = (105, 30, 303, 453)
#: (height, width) of the demo picture: odd, not a multiple of the stride
DEMO_SIZE = (101, 151)
#: seed index of the fixed demo mask
DEMO_MASK_INDEX = 0
#: height of the label strip above each panel, in pixels
LABEL_HEIGHT = 16


def demo_picture() -> np.ndarray:
    """The unseen demo picture, (101, 151, 3) uint8 RGB (grey replicated)."""
    from skimage import data

    from inpaintzoo.datasets.transforms.functional import resize_image

    top, left, height, width = DEMO_CROP
    grey = getattr(data, DEMO_PICTURE)()[top : top + height, left : left + width]
    rgb = np.repeat(grey[..., None], 3, axis=2) if grey.ndim == 2 else grey[..., :3]
    return resize_image(np.ascontiguousarray(rgb), DEMO_SIZE)


def demo_mask(shape: tuple[int, int] = DEMO_SIZE) -> np.ndarray:
    """Fixed 20-40 % free-form mask, (H, W) uint8, 255 = hole."""
    from inpaintzoo.datasets.demo import demo_mask_source

    masker = demo_mask_source(min(shape), '20-40%')
    mask = masker.generate(shape, masker.rng_for(DEMO_MASK_INDEX))
    return (mask > 0).astype(np.uint8) * 255


def side_by_side(
    panels: list[tuple[str, np.ndarray]], scale: int = 2, gap: int = 4
) -> np.ndarray:
    """Panels in a row, each under its label.

    Args:
        panels (list[tuple[str, np.ndarray]]): ``(label, image)`` pairs; images
            are (H, W, 3) uint8 RGB or (H, W) uint8, all of the same size.
        scale (int): nearest-neighbour enlargement of each panel. Defaults to 2.
        gap (int): white pixels between panels. Defaults to 4.

    Returns:
        np.ndarray: (LABEL_HEIGHT + H * scale, n * W * scale + (n - 1) * gap, 3)
        uint8 RGB on white.
    """
    images = [np.asarray(img, np.uint8) for _, img in panels]
    images = [np.repeat(i[..., None], 3, axis=2) if i.ndim == 2 else i for i in images]
    height, width = images[0].shape[:2]
    if any(i.shape[:2] != (height, width) for i in images):
        raise ValueError(f'panels differ in size: {[i.shape for i in images]}')
    ph, pw = height * scale, width * scale
    canvas = Image.new(
        'RGB', (len(images) * (pw + gap) - gap, LABEL_HEIGHT + ph), 'white'
    )
    draw = ImageDraw.Draw(canvas)
    for k, ((label, _), img) in enumerate(zip(panels, images)):
        x = k * (pw + gap)
        panel = Image.fromarray(img).resize((pw, ph), Image.Resampling.NEAREST)
        canvas.paste(panel, (x, LABEL_HEIGHT))
        draw.text((x + 2, 2), label, fill='black')
    return np.asarray(canvas)


def inpaint_demo_picture(
    config: str | Path,
    checkpoint: str | Path,
    out_dir: str | Path,
    label: str,
    picture: np.ndarray | None = None,
) -> Path:
    """Inpaint the demo picture with the CLI and Telea; write the figure.

    Args:
        config (str | Path): config of the trained demo model.
        checkpoint (str | Path): its checkpoint.
        out_dir (str | Path): folder for ``input.png``, ``mask.png``,
            ``model/input.png``, ``telea.png`` and ``figure.png``.
        label (str): the model's panel label, e.g. ``'hint (demo)'``.
        picture (np.ndarray, optional): (H, W, 3) uint8 RGB picture to inpaint
            instead of :func:`demo_picture` (the face demo passes a face); the
            mask is :func:`demo_mask` at its size.

    Returns:
        Path: the figure, ``<out_dir>/figure.png``.
    """
    from inpaintzoo.evaluation.baselines import telea_inpaint
    from inpaintzoo.evaluation.functional.image_metrics import psnr

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    picture = demo_picture() if picture is None else picture
    mask = demo_mask(picture.shape[:2])
    Image.fromarray(picture).save(out / 'input.png')
    Image.fromarray(mask).save(out / 'mask.png')
    cli_main(
        ['inpaint', '--model', str(config), '--checkpoint', str(checkpoint),
         str(out / 'input.png'), '--mask', str(out / 'mask.png'),
         '--out', str(out / 'model'), '--device', 'cpu', '--no-progress']
    )  # fmt: skip
    model = np.asarray(Image.open(out / 'model' / 'input.png').convert('RGB'))
    telea = telea_inpaint(picture, mask > 0)
    Image.fromarray(telea).save(out / 'telea.png')
    masked = picture.copy()
    masked[mask > 0] = 255
    figure = side_by_side(
        [
            ('input', masked),
            ('mask', mask),
            (f'Telea {psnr(telea, picture):.1f} dB', telea),
            (f'{label} {psnr(model, picture):.1f} dB', model),
        ]
    )
    path = out / 'figure.png'
    Image.fromarray(figure).save(path)
    return path
