"""tools/dataset_converters/prepare_landmarks.py on real face pictures."""

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inpaintzoo.datasets.face_landmarks import read_landmarks
from inpaintzoo.face.annotate import annotate_folder, choose_face
from inpaintzoo.face.detection import DetectedFace
from inpaintzoo.utils.image_io import read_image

pytest.importorskip('dlib', reason='dlib backend not installed (inpaintzoo[face])')
TOOL = 'tools/dataset_converters/prepare_landmarks.py'


def _plausible(pts: np.ndarray, width: int, height: int) -> None:
    assert pts.shape == (68, 2)
    assert np.all((pts > -5) & (pts < np.array([width, height]) + 5))
    right_eye, left_eye = pts[36:42].mean(0), pts[42:48].mean(0)
    assert right_eye[0] < pts[30, 0] < left_eye[0]  # subject's right = image left
    assert max(right_eye[1], left_eye[1]) < pts[30, 1] < pts[48:68, 1].mean()


@pytest.fixture
def face_dir(data_dir, tmp_path) -> Path:
    """The shared one-face pictures (4 CelebA + 1 CelebA-HQ), linked in a folder."""
    folder = tmp_path / 'faces'
    folder.mkdir()
    files = sorted((data_dir / 'celeba_landmarks' / 'images').glob('*.png'))
    files.append(data_dir / 'celebahq' / 'test1.png')
    for path in files:
        (folder / f'{path.parent.parent.name}_{path.name}').symlink_to(path)
    return folder


def test_writes_one_plausible_file_per_face(face_dir, tmp_path, run_tool):
    out = tmp_path / 'landmarks'
    # faces of 130+ px need no upsampling (faster)
    run = run_tool(TOOL, str(face_dir), str(out), '--no-progress', '--upsample', '0')
    assert run.code == 0, run.err
    images = sorted(face_dir.iterdir())
    assert sorted(p.stem for p in out.glob('*.txt')) == [p.stem for p in images]
    for image in images:
        height, width = read_image(image).shape[:2]
        text = (out / f'{image.stem}.txt').read_text()
        assert len(text.splitlines()) == 1
        assert len(text.split()) == 136
        _plausible(read_landmarks(out / f'{image.stem}.txt'), width, height)
    assert 'landmarks written for 5 of 5 images; 0 without' in run.out
    with (out / 'prepare_landmarks_report.csv').open() as handle:
        assert list(csv.reader(handle)) == [['path', 'reason', 'faces', 'detail']]


def test_no_face_and_two_faces_reported_and_exit_code(face_dir, tmp_path, run_tool):
    from skimage import data

    for extra in sorted(face_dir.iterdir())[1:]:  # keep one face: fast
        extra.unlink()
    Image.fromarray(data.coffee()[::2, ::2]).save(face_dir / 'coffee.png')
    face = read_image(next(face_dir.glob('celeba_landmarks_*.png')))
    pair = np.concatenate([face, face[:, ::-1]], axis=1)  # two faces side by side
    Image.fromarray(pair).save(face_dir / 'pair.png')
    (face_dir / 'broken.png').write_bytes(b'not an image')
    out, report = tmp_path / 'lm', tmp_path / 'report.csv'
    run = run_tool(TOOL, str(face_dir), str(out), '--report', str(report))
    assert run.code == 2
    assert '3 of 4 images got no landmarks' in run.err
    assert '--allow-missing' in run.err
    rows = list(csv.DictReader(report.open()))
    by_name = {Path(r['path']).name: r for r in rows}
    assert set(by_name) == {'coffee.png', 'pair.png', 'broken.png'}
    assert (by_name['coffee.png']['reason'], by_name['coffee.png']['faces']) == (
        'no_face',
        '0',
    )
    assert (by_name['pair.png']['reason'], by_name['pair.png']['faces']) == (
        'several_faces',
        '2',
    )
    assert by_name['broken.png']['reason'] == 'unreadable'
    assert 'broken.png' in by_name['broken.png']['detail']
    assert 'landmarks written for 1 of 4 images; 3 without landmarks' in run.out
    assert not (out / 'pair.txt').exists()
    assert not (out / 'coffee.txt').exists()
    # --allow-missing: same files and report, exit 0
    run = run_tool(TOOL, str(face_dir), str(out), '--allow-missing', '--no-progress')
    assert run.code == 0, run.err
    # --face-index 1 takes the mirrored (right) face; it is reported as chosen
    run = run_tool(
        TOOL, str(face_dir), str(out), '--face-index', '1', '--allow-missing'
    )
    assert run.code == 0
    pts = read_landmarks(out / 'pair.txt')
    assert pts[:, 0].min() > face.shape[1] - 5
    _plausible(pts, pair.shape[1], pair.shape[0])
    assert 'several_faces_chose_one: ' in run.out


def test_choose_face_rules():
    def face(x0: int, size: int) -> DetectedFace:
        return DetectedFace((x0, 0, x0 + size, size), np.zeros((68, 2), np.float32))

    small, big = face(0, 10), face(50, 30)
    assert choose_face([small]) is small
    assert choose_face([small, big]) is None
    assert choose_face([small, big], largest=True) is big
    assert choose_face([small, big], face_index=0) is small
    assert choose_face([small, big], face_index=2) is None
    assert choose_face([small], face_index=1) is None
    assert choose_face([], largest=True) is None


def test_duplicate_stems_and_empty_folder(tmp_path, run_tool):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    for sub in ('a', 'b'):
        Image.new('RGB', (8, 8)).save(tmp_path / sub / 'x.png')
    run = run_tool(TOOL, str(tmp_path), str(tmp_path / 'out'))
    assert run.code == 2
    assert "share the stem 'x'" in run.err
    (tmp_path / 'empty').mkdir()
    run = run_tool(TOOL, str(tmp_path / 'empty'), str(tmp_path / 'out'))
    assert run.code == 2
    assert 'no image files' in run.err
    with pytest.raises(ValueError, match='not both'):
        annotate_folder(tmp_path / 'a', tmp_path / 'o', largest=True, face_index=0)


def test_missing_backend_package_is_one_clean_error(tmp_path, run_tool, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, 'facexlib', None)  # not installed
    for name in ('x.png', 'y.png'):  # two images: a bar would be drawn
        Image.new('RGB', (8, 8)).save(tmp_path / name)
    run = run_tool(TOOL, str(tmp_path), str(tmp_path / 'out'), '--backend', 'facexlib')
    assert run.code == 2
    assert 'pip install "inpaintzoo[fan]"' in run.err
    assert 'landmarks:' not in run.err  # fails before the progress bar starts
