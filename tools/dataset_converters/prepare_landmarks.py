"""Write 68-point face landmark files for a folder of face pictures.

``python tools/dataset_converters/prepare_landmarks.py IMAGE_DIR OUT`` writes
``OUT/<image stem>.txt`` (one line ``x0 y0 ... x67 y67`` in image pixels, iBUG-300W
order), the files ``ImageMaskDataset(landmark_source=OUT)`` reads. Images with no
face, several faces or unreadable ones are listed in the report (CSV
``path,reason,faces,detail``; default ``OUT/prepare_landmarks_report.csv``) and
summarised at the end. The exit status is 0 only if every image got landmarks,
unless ``--allow-missing``.
"""

import argparse
from pathlib import Path

from inpaintzoo.apis.cli import add_debug_argument, run_cli
from inpaintzoo.face.annotate import annotate_folder, write_report
from inpaintzoo.utils.errors import FaceNotUsableError

REPORT_NAME = 'prepare_landmarks_report.csv'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('image_dir', help='folder of face images (recursive)')
    parser.add_argument('out', help='output folder of <image stem>.txt files')
    parser.add_argument(
        '--backend',
        choices=('dlib', 'facexlib'),
        default='dlib',
        help='dlib: offline, pip install "inpaintzoo[face]"; facexlib: FAN (the '
        'thesis\'s), pip install "inpaintzoo[fan]", downloads its weights once',
    )
    parser.add_argument(
        '--upsample',
        type=int,
        default=1,
        help='detector upsampling steps (dlib; more finds smaller faces, slower)',
    )
    parser.add_argument('--report', help=f'report CSV (default OUT/{REPORT_NAME})')
    choose = parser.add_mutually_exclusive_group()
    choose.add_argument(
        '--largest',
        action='store_true',
        help='multi-face images: take the largest face',
    )
    choose.add_argument(
        '--face-index',
        type=int,
        help='multi-face images: take this face, 0 = leftmost',
    )
    parser.add_argument(
        '--allow-missing',
        action='store_true',
        help='exit 0 even if some images got no landmarks (they stay in the report)',
    )
    parser.add_argument('--model-dir', help='folder of the backend model files')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    add_debug_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    result = annotate_folder(
        args.image_dir,
        args.out,
        backend=args.backend,
        upsample=args.upsample,
        largest=args.largest,
        face_index=args.face_index,
        model_dir=args.model_dir,
        show_progress=not args.no_progress,
    )
    report = write_report(result.problems, args.report or Path(args.out) / REPORT_NAME)
    for row in result.problems:
        print(f'{row.reason}: {row.path} ({row.faces} faces) {row.detail}'.rstrip())
    print(result.summary())
    print(f'report: {report}')
    if result.missing and not args.allow_missing:
        raise FaceNotUsableError(
            f'{len(result.missing)} of {result.total} images got no landmarks (listed '
            f'in {report}); fix or remove them, choose faces with --largest / '
            '--face-index, or pass --allow-missing'
        )


if __name__ == '__main__':
    run_cli(main)
