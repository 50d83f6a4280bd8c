"""Write the offline demo data set (scikit-image's bundled pictures) to OUT_DIR.

``--face`` writes the face demo data with 68-point landmark files instead (what
``make demo MODEL=nclg`` trains on; usually into ``data/demo_face``).
"""

import argparse

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.datasets.demo import prepare_demo_data
from inpaintzoo.datasets.demo_face import prepare_face_demo_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out_dir', help='output folder, e.g. data/demo')
    parser.add_argument('--size', type=int, default=64, help='crop side (pixels)')
    parser.add_argument(
        '--face',
        action='store_true',
        help='face crops with landmark files (NCLG-MT demo, data/demo_face)',
    )
    add_debug_argument(parser)
    args = parser.parse_args()
    prepare = prepare_face_demo_data if args.face else prepare_demo_data
    written = prepare(args.out_dir, args.size)
    for key, paths in written.items():
        print(f'{key}: {len(paths)} files in {paths[0].parent}')


if __name__ == '__main__':
    run_cli(main)
