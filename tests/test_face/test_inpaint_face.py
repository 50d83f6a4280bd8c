"""inpaint_face (API) and tools/inpaint_face.py with a tiny random NCLG-MT."""

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from inpaintzoo.apis.cli import USER_ERROR_EXIT, run_cli
from inpaintzoo.apis.face import FaceInpaintResult, inpaint_face
from inpaintzoo.face.paste_back import feather_alpha
from inpaintzoo.utils.errors import (
    ConfigError,
    FaceTooSmallError,
    InvalidMaskError,
    MultipleFacesError,
    NoFaceFoundError,
    WeightsUnavailableError,
)
from tests.test_apis.tiny_nclg import write_tiny_nclg
from tests.test_face.face_photos import CELEBA_00000, CELEBAHQ_1, need_dlib, photo
from tests.test_tools.conftest import load_tool


@pytest.fixture(scope='module', autouse=True)
def _dlib_and_one_thread():
    need_dlib()
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope='module')
def nclg_files(tmp_path_factory):
    return write_tiny_nclg(tmp_path_factory.mktemp('nclg'), 64)


@pytest.fixture(scope='module')
def model(nclg_files):
    from inpaintzoo.apis import init_model

    return init_model(str(nclg_files[0]), str(nclg_files[1]), device='cpu')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/inpaint_face.py')


def test_full_resolution_result_with_auto_lip_mask(model):
    img = photo(CELEBAHQ_1)
    res = inpaint_face(model, img)
    assert isinstance(res, FaceInpaintResult)
    assert res.image.shape == img.shape == (512, 512, 3)
    assert res.crop.shape == res.crop_result.shape == (256, 256, 3)
    assert res.mask.shape == (512, 512)
    assert res.crop_mask.shape == (256, 256)
    assert res.landmarks.shape == res.crop_landmarks.shape == (68, 2)
    np.testing.assert_allclose(
        res.alignment.to_crop(res.landmarks), res.crop_landmarks, rtol=1e-4, atol=0.05
    )
    x0, _, x1, _ = res.box
    assert 0 <= x0 < x1 <= 512
    # only the hole and its feathered seam change
    touched = feather_alpha(res.mask, 6) > 0
    assert np.array_equal(res.image[~touched], img[~touched])
    assert not np.array_equal(res.image[res.mask > 0], img[res.mask > 0])
    # the hole sits between the nose tip and the chin, between the eyes' columns
    rows, cols = np.nonzero(res.mask)
    det = res.detected_landmarks
    assert det[30, 1] - 10 < rows.mean() < det[8, 1]
    assert det[36, 0] < cols.mean() < det[45, 0]
    assert 'resized 256x256 -> 64x64' in res.note


def test_user_mask_is_used_as_given(model):
    img = photo(CELEBA_00000)
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[150:180, 100:160] = 255
    res = inpaint_face(model, img, mask=mask)
    assert np.array_equal(res.mask, mask)
    assert res.crop_mask.any()


def test_no_face_found():
    blank = np.full((200, 300, 3), 128, np.uint8)
    with pytest.raises(NoFaceFoundError, match='no face found in the 300x200 photo'):
        inpaint_face(None, blank)


def test_several_faces_message_names_the_face_tool_where_it_is(tmp_path, monkeypatch):
    """The hint names tools/inpaint_face.py where it is (a clone or the wheel)."""
    from inpaintzoo.apis.face import choose_face
    from inpaintzoo.face.detection import DetectedFace
    from tests.conftest import REPO_ROOT

    points = np.zeros((68, 2), np.float32)
    faces = [
        DetectedFace((0, 0, 80, 80), points),
        DetectedFace((90, 0, 170, 80), points),
    ]
    for cwd, script in [
        (REPO_ROOT, 'tools/inpaint_face.py'),
        (tmp_path, str(REPO_ROOT / 'tools' / 'inpaint_face.py')),
    ]:
        monkeypatch.chdir(cwd)
        with pytest.raises(MultipleFacesError) as err:
            choose_face(faces, None, (80, 170), 64)
        assert str(err.value).endswith(f'({script} --face-index K)')
    assert choose_face(faces, 1, (80, 170), 64)[0] == 1


def test_several_faces_need_a_face_index(model):
    a, b = photo(CELEBA_00000), photo(CELEBAHQ_1)[::2, ::2]
    two = np.concatenate([a, b], axis=1)
    with pytest.raises(
        MultipleFacesError, match=r'2 faces found .*0: \(.*1: \('
    ) as err:
        inpaint_face(model, two)
    assert '--face-index' in str(err.value)
    res = inpaint_face(model, two, face_index=1)
    assert res.face_index == 1
    assert res.box[0] >= 256  # the right-hand face
    assert np.array_equal(res.image[:, :200], two[:, :200])  # the other is untouched
    with pytest.raises(ConfigError, match='face_index 2 is out of range'):
        inpaint_face(model, two, face_index=2)


def test_face_too_small_names_the_minimum():
    # the face shrunk to a 44 px box: dlib still finds it, the default minimum is 64
    small = cv2.resize(photo(CELEBA_00000), (96, 96), interpolation=cv2.INTER_AREA)
    with pytest.raises(FaceTooSmallError, match=r'is 44x44 px, .*minimum 64 px'):
        inpaint_face(None, small)
    with pytest.raises(FaceTooSmallError, match='minimum 200 px'):
        inpaint_face(None, photo(CELEBA_00000), min_face=200)


def test_mask_of_another_size_is_rejected():
    img = photo(CELEBA_00000)
    with pytest.raises(InvalidMaskError, match=r'is 100x80 \(W x H\) .* is 256x256'):
        inpaint_face(None, img, mask=np.zeros((80, 100), np.uint8))


def test_mask_away_from_the_face_is_rejected(model):
    img = np.pad(photo(CELEBA_00000), ((0, 0), (0, 600), (0, 0)), constant_values=90)
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[100:120, 800:820] = 255  # far right of the face crop
    with pytest.raises(InvalidMaskError, match='no hole inside the aligned crop'):
        inpaint_face(model, img, mask=mask)


@pytest.mark.parametrize(
    ('path', 'size'), [(CELEBA_00000, (256, 256)), (CELEBAHQ_1, (512, 512))]
)
def test_tool_end_to_end(tool, nclg_files, path, size, tmp_path, capsys):
    config, ckpt = nclg_files
    out = tmp_path / 'out'
    code = tool.main([str(path), '--auto-mask', 'lip', '--margin', '10',
                      '--config', str(config), '--checkpoint', str(ckpt),
                      '--device', 'cpu', '--out', str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    for name in ('result.png', 'figure.png', 'landmarks.png', 'landmarks.txt'):
        assert (out / name).is_file()
        assert str(out / name) in printed
    h, w = size
    assert Image.open(out / 'result.png').size == (w, h)
    assert Image.open(out / 'landmarks.png').size == (w, h)
    fig = Image.open(out / 'figure.png')
    assert fig.size == (3 * w + 2 * 4, h + 16)  # 3 labelled panels, 4 px gaps
    values = (out / 'landmarks.txt').read_text().split()
    assert len(values) == 136
    assert 'landmarks: predicted' in printed


def _run(tool, argv, monkeypatch, capsys):
    monkeypatch.setattr('sys.argv', ['inpaint_face.py', *argv])
    with pytest.raises(SystemExit) as exc:
        run_cli(tool.main)
    return exc.value.code, capsys.readouterr().err


def test_tool_errors_are_one_line(tool, nclg_files, tmp_path, monkeypatch, capsys):
    config, ckpt = nclg_files
    blank = tmp_path / 'blank.png'
    Image.fromarray(np.full((120, 160, 3), 90, np.uint8)).save(blank)
    code, err = _run(
        tool, [str(blank), '--config', str(config), '--checkpoint', str(ckpt),
               '--out', str(tmp_path / 'o')], monkeypatch, capsys
    )  # fmt: skip
    assert code == USER_ERROR_EXIT
    assert err.startswith('error: no face found')
    assert err.count('\n') == 1
    # a config without weights needs --random-weights
    code, err = _run(
        tool, [str(CELEBA_00000), '--config', str(config), '--out', str(tmp_path)],
        monkeypatch, capsys,
    )  # fmt: skip
    assert code == USER_ERROR_EXIT
    assert '--random-weights' in err


def test_tool_random_weights_warn(tool, nclg_files, tmp_path):
    with pytest.warns(UserWarning, match='random weights'):
        code = tool.main([str(CELEBA_00000), '--config', str(nclg_files[0]),
                          '--random-weights', '--out', str(tmp_path)])  # fmt: skip
    assert code == 0


def test_tool_default_model_needs_local_weights(tool, tmp_path, monkeypatch):
    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'cache'))
    with pytest.raises((ConfigError, WeightsUnavailableError), match='--config C'):
        tool.main([str(CELEBA_00000), '--out', str(tmp_path / 'o')])


def test_tool_turns_a_sideways_phone_photo_upright(
    tool, nclg_files, tmp_path, monkeypatch, capsys
):
    """A photo stored sideways with an EXIF tag (as phones write them): the face
    is found in the picture as shown, and the result is written that way up."""
    config, ckpt = nclg_files
    shown = photo(CELEBA_00000)
    phone = tmp_path / 'phone.jpg'
    exif = Image.Exif()
    exif[0x0112] = 6  # shown = stored turned 90 degrees clockwise
    icc = b'a phone camera colour profile (bytes kept as they are)'
    Image.fromarray(np.ascontiguousarray(np.rot90(shown, k=1))).save(
        phone, exif=exif, quality=98, icc_profile=icc
    )
    args = [str(phone), '--config', str(config), '--checkpoint', str(ckpt)]
    code = tool.main([*args, '--out', str(tmp_path / 'out')])
    assert code == 0
    h, w = shown.shape[:2]
    result = Image.open(tmp_path / 'out' / 'result.png')
    assert result.size == (w, h)
    assert result.info['icc_profile'] == icc  # the photo's colours
    capsys.readouterr()
    # as stored, the face lies on its side and the detector finds none
    code, err = _run(
        tool, [*args, '--orientation', 'stored', '--out', str(tmp_path / 'o2')],
        monkeypatch, capsys,
    )  # fmt: skip
    assert code == USER_ERROR_EXIT
    assert err.startswith('error: no face found')


def test_tool_names_both_files_of_a_mask_of_another_size(
    tool, tmp_path, monkeypatch, capsys
):
    small = tmp_path / 'small_mask.png'
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(small)
    # refused before any model is looked up (the zoo weights are not cached)
    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'cache'))
    code, err = _run(
        tool, [str(CELEBA_00000), '--mask', str(small), '--out', str(tmp_path / 'o')],
        monkeypatch, capsys,
    )  # fmt: skip
    assert code == USER_ERROR_EXIT
    assert f'mask {small} is 100x100' in err
    assert f'image {CELEBA_00000} is 256x256' in err
    assert 'ndarray' not in err
    assert err.count('\n') == 1


def test_tool_without_cached_weights_says_so_in_one_line(
    tool, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'cache'))
    code, err = _run(
        tool, [str(CELEBA_00000), '--out', str(tmp_path / 'o')], monkeypatch, capsys
    )
    assert code == USER_ERROR_EXIT
    assert 'not in the local cache' in err
    assert 'inpaintzoo download nclg_celeba' in err
    assert 'offline' not in err  # the tool's own setting, not the user's
    assert err.count('\n') == 1
