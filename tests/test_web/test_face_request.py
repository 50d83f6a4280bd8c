"""The page's Auto lip mask on a photo with two faces (real dlib, tiny NCLG-MT)."""

import numpy as np
import pytest

from inpaintzoo.web import face_service
from inpaintzoo.web.model_menu import ModelCache, ModelChoice
from tests.test_apis.tiny_nclg import write_tiny_nclg
from tests.test_face.face_photos import CELEBA_00000, CELEBAHQ_1, need_dlib, photo


@pytest.fixture(scope='module')
def face_menu(tmp_path_factory):
    need_dlib()
    config, ckpt = write_tiny_nclg(tmp_path_factory.mktemp('nclg_web'), 64)
    return [ModelChoice('face', str(config), str(ckpt), 'nclg')]


@pytest.fixture(scope='module')
def two_faces() -> np.ndarray:
    # the left face fills x < 256, the right one is x >= 256
    return np.concatenate([photo(CELEBA_00000), photo(CELEBAHQ_1)[::2, ::2]], axis=1)


def _editor(img, stroke=None):
    layer = np.zeros((*img.shape[:2], 4), np.uint8)
    if stroke is not None:
        top, bottom, left, right = stroke
        layer[top:bottom, left:right, 3] = 255
    return {'background': img, 'layers': [layer], 'composite': None}


def test_two_faces_without_a_stroke_say_what_to_do_on_the_page(face_menu, two_faces):
    out, shown = face_service.handle_face_request(
        ModelCache(), face_menu, 'face', 'cpu', _editor(two_faces)
    )
    assert shown is None
    assert out.message.startswith('**Error:** 2 faces found'), out.message
    assert '"Face"' in out.message
    assert 'Auto lip mask again' in out.message
    assert 'face_index' not in out.message
    assert '--face-index' not in out.message


def test_two_faces_use_the_one_holding_the_stroke_or_the_chosen_one(
    face_menu, two_faces
):
    cache = ModelCache()
    # a stroke on the right-hand face's mouth region
    stroke = (180, 190, 360, 400)
    out, _ = face_service.handle_face_request(
        cache, face_menu, 'face', 'cpu', _editor(two_faces, stroke)
    )
    assert out.ok, out.message
    assert 'face 1 at' in out.message
    assert np.array_equal(out.result[:, :250], two_faces[:, :250])
    # the "Face" field picks one without a stroke
    out, _ = face_service.handle_face_request(
        cache, face_menu, 'face', 'cpu', _editor(two_faces), face_index=0
    )
    assert out.ok, out.message
    assert 'face 0 at' in out.message
    out, _ = face_service.handle_face_request(
        cache, face_menu, 'face', 'cpu', _editor(two_faces), face_index=5
    )
    assert 'is out of range' in out.message
    assert '"Face" 5' in out.message


def test_no_face_points_to_painting_and_run(face_menu):
    blank = np.full((120, 160, 3), 90, np.uint8)
    out, _ = face_service.handle_face_request(
        ModelCache(), face_menu, 'face', 'cpu', _editor(blank)
    )
    assert 'no face found' in out.message
    assert 'press Run' in out.message
    assert 'inpaintzoo inpaint' not in out.message
