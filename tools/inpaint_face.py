"""Inpaint the upper lip / nostril region of a face photo (the cleft-lip workflow).

``python tools/inpaint_face.py IMAGE [--mask MASK | --auto-mask lip] [--margin PX]
[--config C] [--checkpoint CKPT] [--face-index K] [--device cpu] --out DIR``

Detects the face, aligns it to the model's 256 x 256 frame, builds a hole over
the upper lip and nostrils from the landmarks (or uses ``--mask``), inpaints it
with NCLG-MT, pastes the result back into the full-resolution photo with a
feathered seam and writes into DIR:

* ``result.png``: the full-resolution result;
* ``figure.png``: input | mask | result side by side, labelled;
* ``landmarks.png``: the predicted landmarks drawn on the result;
* ``landmarks.txt``: them as one line ``x0 y0 ... x67 y67`` (photo pixels).

The model is the zoo's NCLG-MT entry when its weights are in the cache, or
``--config`` (+ ``--checkpoint``). A visual aid, not a surgical prediction: see
docs/cleft_lip.md.
"""

import argparse
import warnings
from pathlib import Path

import numpy as np

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.cli.shared_args import add_orientation_argument
from inpaintzoo.utils.errors import ConfigError, WeightsUnavailableError
from inpaintzoo.utils.freed_memory import (
    add_freed_memory_argument,
    apply_freed_memory_argument,
)

#: zoo entry used when no --config is given
DEFAULT_ZOO_MODEL = 'nclg_celeba'
#: files written into --out
OUTPUT_FILES = ('result.png', 'figure.png', 'landmarks.png', 'landmarks.txt')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from inpaintzoo.face.lip_mask import AUTO_MASKS, DEFAULT_MARGIN
    from inpaintzoo.face.paste_back import DEFAULT_FEATHER

    parser = argparse.ArgumentParser(
        description='Inpaint the upper lip and nostrils of a face photo (NCLG-MT)'
    )
    parser.add_argument('image', help='face photo (any size)')
    masks = parser.add_mutually_exclusive_group()
    masks.add_argument(
        '--mask', default=None, help="hole of the photo's size (white = hole)"
    )
    masks.add_argument(
        '--auto-mask',
        choices=AUTO_MASKS,
        default='lip',
        help='hole made from the landmarks when no --mask (default: lip)',
    )
    parser.add_argument(
        '--margin',
        type=float,
        default=DEFAULT_MARGIN,
        help=f'auto mask growth, pixels of the 256 crop (default: {DEFAULT_MARGIN})',
    )
    parser.add_argument(
        '--feather',
        type=float,
        default=DEFAULT_FEATHER,
        help=f'seam width around the hole, photo pixels (default: {DEFAULT_FEATHER})',
    )
    parser.add_argument(
        '--config',
        default=None,
        help=f'model config (default: zoo {DEFAULT_ZOO_MODEL})',
    )
    parser.add_argument(
        '--checkpoint', default=None, help='.pth / .safetensors weights'
    )
    parser.add_argument(
        '--random-weights',
        action='store_true',
        help='allow --config without --checkpoint (random weights: a pipeline check)',
    )
    parser.add_argument(
        '--face-index', type=int, default=None, help='face to use (0 = leftmost)'
    )
    parser.add_argument(
        '--backend', default='dlib', help='face detector: dlib (default) or facexlib'
    )
    parser.add_argument('--device', default='cpu', help='cpu (default), cuda, ...')
    parser.add_argument('--out', required=True, help='output folder')
    add_orientation_argument(parser)
    add_freed_memory_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args(argv)


def load_model(args: argparse.Namespace):
    """The inpaintor: ``--config`` (+ weights) or the zoo's cached NCLG-MT."""
    from inpaintzoo.apis.inference import init_model

    if args.config is not None:
        if args.checkpoint is None and not args.random_weights:
            raise ConfigError(
                f'--config {args.config} needs --checkpoint (trained weights, e.g. '
                'work_dirs/demo/nclg/iter_*.pth from `make demo MODEL=nclg`); pass '
                '--random-weights to run the pipeline with random weights'
            )
        if args.checkpoint is None:
            warnings.warn(
                'inpaint_face: random weights, the result is noise (pipeline check)',
                stacklevel=2,
            )
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                return init_model(args.config, None, device=args.device)
        return init_model(args.config, args.checkpoint, device=args.device)
    return init_model(*zoo_weights(args.checkpoint), device=args.device)


def zoo_weights(checkpoint: str | None) -> tuple[str, str]:
    """``(zoo config path, weights)`` of the default zoo model, cache only."""
    from inpaintzoo.hub import download, get_model_info

    how = (
        f'get them with `inpaintzoo download {DEFAULT_ZOO_MODEL}`, or pass '
        '--config C --checkpoint CKPT (e.g. the tiny model trained by '
        '`make demo MODEL=nclg`)'
    )
    try:
        info = get_model_info(DEFAULT_ZOO_MODEL)
    except ConfigError as err:
        raise ConfigError(
            f'the model zoo has no {DEFAULT_ZOO_MODEL!r} entry ({err}); pass --config '
            'C --checkpoint CKPT'
        ) from err
    if checkpoint is None:
        try:
            checkpoint = str(download(DEFAULT_ZOO_MODEL, offline=True))
        except WeightsUnavailableError as err:
            # one line: the cache lookup's own message (about offline mode, which
            # this tool sets itself) would only confuse; it stays in --debug
            raise WeightsUnavailableError(
                f'the NCLG-MT weights ({DEFAULT_ZOO_MODEL}) are not in the local '
                f'cache: {how}'
            ) from err
    return str(info.config_path()), checkpoint


def write_outputs(
    res, image: np.ndarray, out: Path, like: Path | None = None
) -> list[Path]:
    """Write result, figure, landmark picture and text of a FaceInpaintResult.

    ``like``: the photo file, whose ICC colour profile ``result.png`` keeps.
    """
    from PIL import Image

    from inpaintzoo.cli.cmd_inpaint import write_png
    from inpaintzoo.face.drawing import draw_landmarks, panel_row

    out.mkdir(parents=True, exist_ok=True)
    write_png(res.image, out / 'result.png', like=like)
    masked = image.copy()
    masked[res.mask > 0] = 255
    figure = panel_row([('input', image), ('mask', masked), ('result', res.image)])
    Image.fromarray(figure).save(out / 'figure.png')
    points = res.landmarks if res.landmarks is not None else res.detected_landmarks
    Image.fromarray(draw_landmarks(res.image, points)).save(out / 'landmarks.png')
    source = (
        'predicted' if res.landmarks is not None else 'detected (model predicts none)'
    )
    line = ' '.join(f'{v:.2f}' for v in np.asarray(points, np.float64).ravel())
    (out / 'landmarks.txt').write_text(line + '\n')
    print(f'landmarks: {source}')
    return [out / name for name in OUTPUT_FILES]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    apply_freed_memory_argument(args)
    from inpaintzoo.apis.face import inpaint_face
    from inpaintzoo.utils.image_io import read_image

    image = read_image(Path(args.image), orientation=args.orientation)
    mask = None
    if args.mask is not None:  # sizes checked with the file names, before the model
        from inpaintzoo.apis.inputs import check_same_size

        mask = read_image_mask(args.mask, args.orientation)
        check_same_size(
            image, mask, Path(args.image), Path(args.mask), args.orientation
        )
    model = load_model(args)
    res = inpaint_face(
        model,
        image,
        mask=mask,
        auto_mask=args.auto_mask,
        face_index=args.face_index,
        margin=args.margin,
        backend=args.backend,
        feather=args.feather,
    )
    print(f'face {res.face_index}: box {res.box}')
    if res.note:
        print(f'note: {res.note}')
    for path in write_outputs(res, image, Path(args.out), like=Path(args.image)):
        print(path)
    return 0


def read_image_mask(path: str, orientation: str = 'exif') -> np.ndarray:
    """The mask file's values (H, W) uint8 (0/1 files become 0/255).

    ``orientation`` turns it as the photo (``--orientation``).
    """
    from inpaintzoo.utils.mask_io import read_mask_values

    return read_mask_values(Path(path), orientation)


if __name__ == '__main__':
    run_cli(main)
