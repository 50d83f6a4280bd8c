"""Face detection API: backends, landmark plausibility, input handling, errors."""

import importlib.metadata
import sys
from pathlib import Path

import numpy as np
import pytest

from inpaintzoo.face import detection
from inpaintzoo.face.detection import (
    FACE_BACKENDS,
    DetectedFace,
    as_rgb_uint8,
    detect_faces,
    detect_faces_in_file,
    get_backend,
)
from inpaintzoo.face.dlib_files import (
    DLIB_MODELS_ENV,
    SHAPE_PREDICTOR_68,
    find_dlib_model,
    packaged_model_dir,
)
from inpaintzoo.utils.errors import (
    ConfigError,
    ImageReadError,
    InvalidImageError,
    MissingDependencyError,
    ModelFileNotFoundError,
)
from inpaintzoo.utils.image_io import read_image

dlib = pytest.importorskip(
    'dlib', reason='dlib backend not installed (inpaintzoo[face])'
)


def assert_plausible(face: DetectedFace, shape: tuple[int, ...]) -> None:
    """Landmarks of an upright frontal face: iBUG order, inside the face box."""
    pts = face.landmarks
    assert pts.shape == (68, 2)
    assert pts.dtype == np.float32
    x0, y0, x1, y1 = face.box
    assert 0 <= x0 < x1 <= shape[1]
    assert 0 <= y0 < y1 <= shape[0]
    pad = 0.2 * max(x1 - x0, y1 - y0)  # dlib's box cuts the forehead and chin
    assert np.all(pts[:, 0] > x0 - pad)
    assert np.all(pts[:, 0] < x1 + pad)
    assert np.all(pts[:, 1] > y0 - pad)
    assert np.all(pts[:, 1] < y1 + pad)
    right_eye, left_eye = pts[36:42].mean(0), pts[42:48].mean(0)  # subject's
    mouth, nose_tip = pts[48:68].mean(0), pts[30]
    # the subject's right eye is on the image's left (iBUG-300W order)
    assert right_eye[0] < nose_tip[0] < left_eye[0]
    assert pts[0, 0] < pts[16, 0]  # jaw runs image-left to image-right
    assert pts[48, 0] < pts[54, 0]  # mouth corners
    assert max(right_eye[1], left_eye[1]) < nose_tip[1] < mouth[1]
    assert pts[8, 1] > mouth[1]  # chin below the mouth


def face_files(data_dir: Path) -> list[Path]:
    files = sorted((data_dir / 'celeba_landmarks' / 'images').glob('*.png'))
    files += [data_dir / 'celebahq' / f'test{k}.png' for k in (1, 2)]
    return [p for p in files if p.is_file()]


def test_shared_faces_one_plausible_face_each(data_dir):
    files = face_files(data_dir)
    assert len(files) >= 4
    for path in files:
        img = read_image(path)
        # the 512 px CelebA-HQ faces are large: no upsampling needed (faster)
        faces = detect_faces(img, upsample=0 if img.shape[0] > 300 else 1)
        assert len(faces) == 1, path
        assert_plausible(faces[0], img.shape)
        assert faces[0].score > 0


def test_no_face_and_two_faces_sorted_left_to_right(data_dir):
    from skimage import data

    assert detect_faces(data.coffee()) == []
    face = read_image(face_files(data_dir)[0])
    pair = np.concatenate([face, face[:, ::-1]], axis=1)
    faces = detect_faces(pair)
    assert len(faces) == 2
    assert faces[0].box[0] < faces[1].box[0]
    width = face.shape[1]
    assert faces[0].box[2] <= width + 2
    assert faces[1].box[0] >= width - 2
    for f in faces:
        assert_plausible(f, pair.shape)  # the mirrored face keeps iBUG order too
    # the mirrored copy's landmarks are the mirror image of the original's
    single = detect_faces(face)[0]
    np.testing.assert_allclose(faces[0].landmarks, single.landmarks, atol=1e-3)


def test_grey_rgba_and_bad_inputs(data_dir):
    img = read_image(face_files(data_dir)[0])
    ref = detect_faces(img)[0]
    grey = (img.astype(np.float32) @ np.float32([0.299, 0.587, 0.114])).astype(np.uint8)
    assert len(detect_faces(grey)) == 1
    assert len(detect_faces(grey[..., None])) == 1
    rgba = np.concatenate([img, np.full((*img.shape[:2], 1), 7, np.uint8)], axis=2)
    np.testing.assert_array_equal(detect_faces(rgba)[0].landmarks, ref.landmarks)
    # a non-contiguous view gives the same answer
    view = np.concatenate([img, img], axis=1)[:, : img.shape[1]]
    np.testing.assert_array_equal(detect_faces(view)[0].landmarks, ref.landmarks)
    with pytest.raises(InvalidImageError, match='uint8'):
        detect_faces(img.astype(np.float32) / 255)
    with pytest.raises(InvalidImageError, match='shape'):
        as_rgb_uint8(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ConfigError, match='upsample'):
        detect_faces(img, upsample=-1)
    with pytest.raises(ConfigError, match=r"unknown face backend 'nope'.*dlib"):
        detect_faces(img, backend='nope')


def test_file_input_and_unreadable_file(data_dir, tmp_path):
    path = face_files(data_dir)[0]
    assert len(detect_faces_in_file(path)) == 1
    bad = tmp_path / 'broken.png'
    bad.write_bytes(b'not a png')
    with pytest.raises(ImageReadError, match=r'broken\.png'):
        detect_faces_in_file(bad)
    with pytest.raises(ImageReadError, match=r'missing\.png'):
        detect_faces_in_file(tmp_path / 'missing.png')


def test_backend_cached_per_process():
    backend = get_backend('dlib')
    assert get_backend('dlib', None) is backend
    assert get_backend(name='dlib') is backend
    built = detection._cached_backend.cache_info().currsize
    detect_faces(np.zeros((16, 16, 3), np.uint8))  # default backend: no new build
    assert detection._cached_backend.cache_info().currsize == built
    assert set(FACE_BACKENDS.module_dict) >= {'dlib', 'facexlib'}


def test_dlib_model_found_without_importing_package(monkeypatch):
    monkeypatch.delenv(DLIB_MODELS_ENV, raising=False)
    sys.modules.pop('face_recognition_models', None)
    path = find_dlib_model()
    assert path.name == SHAPE_PREDICTOR_68
    assert path.is_file()
    assert path.parent == packaged_model_dir()
    assert 'face_recognition_models' not in sys.modules  # its __init__ never ran


def test_dlib_model_dir_argument_env_and_missing(tmp_path, monkeypatch):
    (tmp_path / SHAPE_PREDICTOR_68).write_bytes(b'x')
    assert find_dlib_model(model_dir=tmp_path) == tmp_path / SHAPE_PREDICTOR_68
    monkeypatch.setenv(DLIB_MODELS_ENV, str(tmp_path))
    assert find_dlib_model() == tmp_path / SHAPE_PREDICTOR_68
    # nothing installed and no file: the error names the searched folder and fixes
    monkeypatch.setattr('inpaintzoo.face.dlib_files.packaged_model_dir', lambda: None)
    monkeypatch.setenv(DLIB_MODELS_ENV, str(tmp_path / 'empty'))
    with pytest.raises(ModelFileNotFoundError) as err:
        find_dlib_model()
    text = str(err.value)
    assert 'empty' in text
    assert 'inpaintzoo[face]' in text
    assert DLIB_MODELS_ENV in text
    assert isinstance(err.value, FileNotFoundError)


def test_packaged_dir_from_distribution_files():
    dist = importlib.metadata.distribution('face-recognition-models')
    assert any(str(f).endswith(SHAPE_PREDICTOR_68) for f in dist.files)
    assert (packaged_model_dir() / SHAPE_PREDICTOR_68).is_file()


def test_missing_packages_name_the_pip_command(monkeypatch):
    monkeypatch.setitem(sys.modules, 'dlib', None)  # import dlib -> ImportError
    monkeypatch.setitem(sys.modules, 'facexlib', None)
    from inpaintzoo.face.backends.dlib_backend import DlibLandmarkBackend
    from inpaintzoo.face.backends.facexlib_backend import FacexlibLandmarkBackend

    with pytest.raises(
        MissingDependencyError, match=r'pip install "inpaintzoo\[face\]"'
    ):
        DlibLandmarkBackend()
    with pytest.raises(
        MissingDependencyError, match=r'pip install "inpaintzoo\[fan\]"'
    ):
        FacexlibLandmarkBackend()
    assert issubclass(MissingDependencyError, ImportError)
    # through the API too (a backend that failed to build is not cached)
    for _ in range(2):
        with pytest.raises(MissingDependencyError):
            detect_faces(np.zeros((8, 8, 3), np.uint8), backend='facexlib')


def test_facexlib_backend_code_path_with_stand_in_networks(monkeypatch):
    """The FAN backend's own code (BGR, crop margin, 98->68, crop offset), offline.

    facexlib and its downloaded weights are replaced by stand-ins with the same
    call signatures; the real library is not exercised offline.
    """
    import types

    seen = {}

    class Detector:
        def detect_faces(self, bgr, conf_threshold):
            seen['bgr'], seen['threshold'] = bgr, conf_threshold
            return np.array([[60.0, 40.0, 100.0, 90.0, 0.99] + [0.0] * 10])

    class Aligner:
        def get_landmarks(self, crop):
            seen['crop'] = crop
            pts = np.zeros((98, 2), np.float32)
            pts[:, 0], pts[:, 1] = np.arange(98) % 10, np.arange(98) // 10
            return pts

    alignment = types.ModuleType('facexlib.alignment')
    alignment.init_alignment_model = lambda name, device, model_rootpath: Aligner()
    alignment.landmark_98_to_68 = lambda pts: pts[:68]
    det = types.ModuleType('facexlib.detection')
    det.init_detection_model = lambda name, half, device, model_rootpath: Detector()
    monkeypatch.setitem(sys.modules, 'facexlib', types.ModuleType('facexlib'))
    monkeypatch.setitem(sys.modules, 'facexlib.alignment', alignment)
    monkeypatch.setitem(sys.modules, 'facexlib.detection', det)
    from inpaintzoo.face.backends.facexlib_backend import FacexlibLandmarkBackend

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    faces = FacexlibLandmarkBackend(device='cpu', margin=0.2).detect(img)
    assert len(faces) == 1
    np.testing.assert_array_equal(seen['bgr'], img[..., ::-1])
    # margin 0.2 x 50 px = 10 px around the box, clipped to the picture
    left, top = 50, 30
    np.testing.assert_array_equal(seen['crop'], img[30:100, 50:110, ::-1])
    assert faces[0].box == (60, 40, 100, 90)
    assert faces[0].landmarks.shape == (68, 2)
    assert faces[0].landmarks.dtype == np.float32
    np.testing.assert_array_equal(
        faces[0].landmarks[:, 0], np.arange(68) % 10 + np.float32(left)
    )
    np.testing.assert_array_equal(
        faces[0].landmarks[:, 1], np.arange(68) // 10 + np.float32(top)
    )
    assert faces[0].score == pytest.approx(0.99)
