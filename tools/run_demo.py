"""README demo: ``python tools/run_demo.py [--model hint] [--iters N]``.

Trains and evaluates the demo model, then ends with the console script
(``inpaintzoo inpaint``, in process): the model inpaints a picture it never saw and
a side-by-side figure ``input | mask | Telea | model`` is written; its path is the
last line printed.
"""

import argparse
from pathlib import Path

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.apis.demo import DEMO_CONFIGS, FACE_DEMO_MODELS, run_demo
from inpaintzoo.apis.work_dir_lock import lock_work_dir
from inpaintzoo.utils.config_paths import package_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train and evaluate on demo data')
    parser.add_argument('--model', choices=sorted(DEMO_CONFIGS), default='hint')
    parser.add_argument(
        '--data-root',
        default=None,
        help='demo data folder (default data/demo; data/demo_face for nclg)',
    )
    parser.add_argument('--work-root', default='work_dirs/demo')
    parser.add_argument('--iters', type=int, default=None, help='override iterations')
    add_debug_argument(parser)
    return parser.parse_args()


def latest_grids(work_dir: Path) -> list[Path]:
    """The image grids of the newest run in ``work_dir`` (``<timestamp>/vis_data``)."""
    runs = sorted(p for p in work_dir.glob('*/vis_data/vis_image') if p.is_dir())
    return sorted(runs[-1].glob('*.png')) if runs else []


def last_checkpoint(work_dir: Path) -> Path:
    """The checkpoint MMEngine saved last in ``work_dir``."""
    pointer = work_dir / 'last_checkpoint'
    if pointer.is_file() and Path(pointer.read_text().strip()).is_file():
        return Path(pointer.read_text().strip())
    ckpts = sorted(work_dir.glob('iter_*.pth'), key=lambda p: int(p.stem[5:]))
    if not ckpts:
        raise FileNotFoundError(f'no checkpoint iter_*.pth in {work_dir}')
    return ckpts[-1]


def main() -> None:
    from inpaintzoo.cli.demo_figure import inpaint_demo_picture

    args = parse_args()
    work_dir = Path(args.work_root) / args.model
    lock_work_dir(str(work_dir))  # a second demo into the same folder fails
    run_demo(args.model, args.data_root, args.work_root, args.iters)
    grids = latest_grids(work_dir)
    if grids:
        print(f'image grids ({", ".join(p.name for p in grids)}) in {grids[0].parent}')
    picture = None
    if args.model in FACE_DEMO_MODELS:  # a face the model never saw
        from inpaintzoo.datasets.demo_face import face_demo_picture

        picture = face_demo_picture()
    figure = inpaint_demo_picture(
        package_config(DEMO_CONFIGS[args.model]),
        last_checkpoint(work_dir),
        Path(args.work_root) / 'picture',
        f'{args.model} (demo)',
        picture=picture,
    )
    print(f'side-by-side figure (input | mask | Telea | {args.model}):')
    print(figure)


if __name__ == '__main__':
    run_cli(main)
