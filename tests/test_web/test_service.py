"""The web app's model-running part (no browser, no Gradio)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from inpaintzoo.utils.errors import (
    InvalidImageError,
    InvalidMaskError,
    WeightsUnavailableError,
)
from inpaintzoo.web import face_service, service
from inpaintzoo.web.editor_inputs import (
    NO_IMAGE_MESSAGE,
    NO_MASK_MESSAGE,
    editor_inputs,
    picture_key,
    picture_status,
)
from inpaintzoo.web.model_menu import ModelCache, ModelChoice, available_models
from inpaintzoo.web.service import choose_strategy, handle_request


def _picture(h: int = 40, w: int = 56) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _layer(h: int, w: int, box: tuple[int, int, int, int] | None) -> np.ndarray:
    """RGBA brush layer with an opaque stroke in ``box`` (top, bottom, left, right)."""
    layer = np.zeros((h, w, 4), np.uint8)
    if box is not None:
        t, b, left, r = box
        layer[t:b, left:r] = (255, 255, 255, 255)
    return layer


def _editor(image: np.ndarray, *layers: np.ndarray) -> dict:
    return {'background': image, 'layers': list(layers), 'composite': image}


@pytest.fixture
def tiny_choice(tiny_web_model) -> list[ModelChoice]:
    config, ckpt = tiny_web_model
    return [ModelChoice('tiny', str(config), str(ckpt), 'hint')]


def test_strokes_make_the_hole_and_erased_pixels_do_not():
    img = _picture()
    stroke = _layer(40, 56, (5, 15, 10, 30))
    stroke[5:15, 20:30, 3] = 0  # erased part of the stroke
    picture, hole = editor_inputs(_editor(img, stroke, _layer(40, 56, (30, 35, 0, 4))))
    assert np.array_equal(picture, img)
    assert hole.dtype == np.float32
    want = np.zeros((40, 56), bool)
    want[5:15, 10:20] = True
    want[30:35, 0:4] = True
    assert np.array_equal(hole > 0.5, want)


def test_uploaded_mask_joins_the_strokes_and_alpha_is_dropped_as_in_the_cli():
    rgba = np.dstack([_picture(), np.full((40, 56), 255, np.uint8)])
    rgba[0, 0, 3] = 0  # a transparent pixel of the upload
    rgba[0, 1, 3] = 100  # a semi-transparent one
    upload = np.zeros((40, 56, 3), np.uint8)
    upload[20:25, 40:50] = 255
    picture, hole = editor_inputs(_editor(rgba, _layer(40, 56, (1, 3, 1, 3))), upload)
    # the stored RGB everywhere, as `inpaintzoo inpaint` reads an RGBA file
    assert np.array_equal(picture, rgba[..., :3])
    assert hole.sum() == 4 + 50


def test_uploaded_mask_file_is_read_and_a_non_image_is_named(tmp_path, tiny_choice):
    from PIL import Image

    path = tmp_path / 'hole.png'
    mask = np.zeros((40, 56), np.uint8)
    mask[20:25, 40:50] = 255
    Image.fromarray(mask).save(path)
    _, hole = editor_inputs(_editor(_picture(), _layer(40, 56, None)), str(path))
    assert hole.sum() == 50
    text = tmp_path / 'notes.png'
    text.write_text('not a picture')
    with pytest.raises(InvalidMaskError, match=r'uploaded mask notes\.png'):
        editor_inputs(_editor(_picture(), _layer(40, 56, None)), str(text))
    out = service.handle_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', _editor(_picture(), None), str(text)
    )
    assert out.message.startswith('**Error:** the uploaded mask notes.png'), out.message
    assert 'not an image file' in out.message


def test_uploaded_mask_drawn_in_transparency_takes_its_hole_from_alpha():
    """A black brush on a transparent layer (RGB all 0): alpha is the hole."""
    upload = np.zeros((40, 56, 4), np.uint8)
    upload[20:25, 40:50, 3] = 255
    _, hole = editor_inputs(_editor(_picture(), _layer(40, 56, None)), upload)
    assert hole.sum() == 50
    assert hole[20:25, 40:50].all()
    opaque = np.dstack(
        [np.zeros((40, 56, 3), np.uint8), np.full((40, 56), 255, np.uint8)]
    )
    opaque[20:25, 40:50, :3] = 255  # an ordinary opaque mask: the colour decides
    _, hole = editor_inputs(_editor(_picture(), _layer(40, 56, None)), opaque)
    assert hole.sum() == 50


def test_no_mask_no_picture_and_wrong_sizes_are_messages():
    img = _picture()
    with pytest.raises(InvalidMaskError, match='No mask'):
        editor_inputs(_editor(img, _layer(40, 56, None)))
    with pytest.raises(InvalidMaskError) as err:
        editor_inputs(_editor(img))
    assert str(err.value) == NO_MASK_MESSAGE
    with pytest.raises(InvalidImageError) as err:
        editor_inputs(None)
    assert str(err.value) == NO_IMAGE_MESSAGE
    with pytest.raises(InvalidMaskError, match='uploaded mask is 10x20 but'):
        editor_inputs(_editor(img), np.full((20, 10), 255, np.uint8))


def test_uploaded_mask_of_the_right_height_but_another_width_is_refused(tmp_path):
    # a width-1 mask would broadcast into whole rows of hole; another width
    # would be a raw numpy error: both get the size message
    from PIL import Image

    img = _picture()  # 56x40
    for width in (1, 30, 57):
        upload = np.full((40, width), 255, np.uint8)
        with pytest.raises(InvalidMaskError) as err:
            editor_inputs(_editor(img), upload)
        assert str(err.value).startswith(
            f'the uploaded mask is {width}x40 but the picture is 56x40: upload a '
            'mask of the same size'
        )
    path = tmp_path / 'wide.png'
    Image.fromarray(np.full((40, 1), 255, np.uint8)).save(path)
    with pytest.raises(InvalidMaskError, match='uploaded mask is 1x40 but'):
        editor_inputs(_editor(img, _layer(40, 56, (0, 5, 0, 5))), str(path))
    # a brush layer of another width is refused the same way
    with pytest.raises(InvalidMaskError, match='brush layer 1 is 1x40 but'):
        editor_inputs(_editor(img, _layer(40, 1, None)))


def test_strategy_auto_and_size_limits():
    assert choose_strategy('auto', 600, 800) == 'whole'
    assert choose_strategy('auto', 1920, 2560) == 'crop'
    assert choose_strategy('sliding', 1920, 2560) == 'sliding'
    with pytest.raises(InvalidImageError) as err:
        choose_strategy('whole', 1920, 2560)
    msg = str(err.value)
    assert '2560x1920' in msg
    assert "'whole'" in msg
    assert "'crop'" in msg
    with pytest.raises(InvalidImageError, match='downscale'):
        choose_strategy('crop', 8000, 8000)


def test_request_runs_the_model_and_composites(tiny_choice):
    img = _picture(45, 61)  # odd size: padded to the stride and cropped back
    editor = _editor(img, _layer(45, 61, (10, 25, 20, 40)))
    calls = []
    out = handle_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', editor, None, 'auto',
        lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert out.ok, out.message
    assert out.message.startswith('Done in')
    assert 'upload and display not counted' in out.message  # what the time is
    assert "'whole'" in out.message
    assert out.result.shape == (45, 61, 3)
    assert out.result.dtype == np.uint8
    hole = np.zeros((45, 61), bool)
    hole[10:25, 20:40] = True
    assert np.array_equal(out.result[~hole], img[~hole])
    assert not np.array_equal(out.result[hole], img[hole])
    assert calls == [(0, 1), (1, 1)]


def test_failing_model_gives_a_message_and_the_next_request_works(
    tiny_choice, monkeypatch
):
    cache = ModelCache()
    editor = _editor(_picture(), _layer(40, 56, (5, 15, 10, 30)))
    real = service.run_model

    def broken(*args, **kwargs):
        raise RuntimeError('boom in the network\nsecond line')

    monkeypatch.setattr(service, 'run_model', broken)
    out = handle_request(cache, tiny_choice, 'tiny', 'cpu', editor)
    assert not out.ok
    assert 'RuntimeError: boom in the network' in out.message
    assert 'second line' not in out.message
    assert 'keeps running' in out.message
    monkeypatch.setattr(service, 'run_model', real)
    assert handle_request(cache, tiny_choice, 'tiny', 'cpu', editor).ok


def test_no_mask_and_too_large_are_page_messages(tiny_choice):
    img = _picture()
    out = handle_request(ModelCache(), tiny_choice, 'tiny', 'cpu', _editor(img))
    assert out.message == f'**Error:** {NO_MASK_MESSAGE}'
    big = {'background': np.zeros((1100, 1100, 3), np.uint8), 'layers': []}
    big['layers'] = [_layer(1100, 1100, (0, 5, 0, 5))]
    out = handle_request(ModelCache(), tiny_choice, 'tiny', 'cpu', big, None, 'whole')
    assert not out.ok
    assert '1100x1100' in out.message


def test_zoo_model_without_weights_names_the_download_command(tmp_path, monkeypatch):
    from inpaintzoo.hub import list_models

    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'empty_cache'))
    name = list_models()[0].name
    choice = ModelChoice(name, name, None, 'hint')
    editor = _editor(_picture(), _layer(40, 56, (5, 15, 10, 30)))
    out = handle_request(ModelCache(), [choice], name, 'cpu', editor)
    assert f'`inpaintzoo download {name}`' in out.message
    # the menu lists no zoo model without cached weights
    assert [c.label for c in available_models(demo_root=tmp_path)] == []


def test_menu_lists_cli_model_then_demo_checkpoints(tmp_path, monkeypatch):
    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'empty_cache'))
    demo = tmp_path / 'demo' / 'hint'
    demo.mkdir(parents=True)
    for it in (2, 10):
        (demo / f'iter_{it}.pth').write_bytes(b'')
    menu = available_models('my.py', 'w.pth', demo_root=tmp_path / 'demo')
    assert [c.label for c in menu] == ['my.py + w.pth', 'hint (demo, iter_10.pth)']
    assert menu[1].checkpoint.endswith('iter_10.pth')
    assert menu[1].model.endswith('hint-tiny_1xb4-300_demo-64x64.py')


def test_no_model_messages_put_the_pip_route_first(tmp_path, monkeypatch):
    """``make demo`` exists only in a clone: the messages say so, after --model."""
    from inpaintzoo.web.model_menu import load_model, no_model_message

    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'empty_cache'))
    assert available_models(demo_root=tmp_path) == []
    text = no_model_message()
    first = text.index('--model CONFIG --checkpoint FILE')
    assert first < text.index('inpaintzoo download NAME') < text.index('make demo')
    assert 'in a clone of the repository, `make demo`' in text
    gone = ModelChoice('hint (demo, iter_9.pth)', 'x.py', str(tmp_path / 'gone.pth'))
    with pytest.raises(WeightsUnavailableError) as err:
        load_model(gone)
    text = str(err.value)
    assert text.index('--checkpoint FILE') < text.index('make demo')
    assert '(in a clone of the repository)' in text


def test_cache_keeps_the_last_model_only(tiny_web_model):
    config, ckpt = tiny_web_model
    a = ModelChoice('a', str(config), str(ckpt))
    b = ModelChoice('b', str(config), None)
    cache = ModelCache(size=1)
    first = cache.get(a)
    assert cache.get(a) is first
    with pytest.warns(UserWarning, match='random weights'):
        cache.get(b)
    assert cache.get(a) is not first  # evicted by b, built again


def test_importing_the_package_and_cli_does_not_import_gradio():
    code = (
        'import sys, inpaintzoo, inpaintzoo.web, inpaintzoo.web.service, '
        'inpaintzoo.cli.main, inpaintzoo.cli.cmd_serve; '
        "assert 'gradio' not in sys.modules, 'gradio imported'; "
        "import os; assert 'GRADIO_ANALYTICS_ENABLED' not in os.environ"
    )
    env = {k: v for k, v in os.environ.items() if k != 'GRADIO_ANALYTICS_ENABLED'}
    subprocess.run([sys.executable, '-c', code], check=True, timeout=120, env=env)


@pytest.mark.slow
def test_2560x1920_runs_with_the_crop_strategy_and_reports_progress(tiny_choice):
    # the size of the "page stays responsive" case, through the service
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (1920, 2560, 3), dtype=np.uint8)
    layer = _layer(1920, 2560, (100, 160, 200, 400))
    layer[1500:1600, 2000:2300] = 255
    calls = []
    out = handle_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', _editor(img, layer), None, 'auto',
        lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert out.ok, out.message
    assert out.strategy == 'crop'
    assert calls[0] == (0, 2)
    assert calls[-1] == (2, 2)
    hole = layer[..., 3] > 0
    assert np.array_equal(out.result[~hole], img[~hole])
    assert not np.array_equal(out.result[hole], img[hole])


def test_sliding_progress_counts_only_tiles_with_a_hole_and_reaches_its_total(
    tiny_choice,
):
    # 600x1100 is a 2x3 grid of 512-pixel tiles; the hole lies in the first tile
    # only, so only that tile runs (empty tiles are skipped) and the bar ends full
    from inpaintzoo.apis.highres_tiles import tile_grid

    img = _picture(600, 1100)
    layer = _layer(600, 1100, (10, 60, 20, 90))
    assert len(tile_grid(600, 1100, 512, 64)) == 6
    calls = []
    out = handle_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', _editor(img, layer), None,
        'sliding', lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert out.ok, out.message
    assert out.strategy == 'sliding'
    assert calls == [(0, 1), (1, 1)]
    hole = layer[..., 3] > 0
    assert np.array_equal(out.result[~hole], img[~hole])


def _fake_face_api(monkeypatch) -> dict:
    """Replace ``inpaint_face`` (it needs dlib's detector files) by a stand-in."""
    from types import SimpleNamespace

    import inpaintzoo.apis.face as face

    calls = {}

    def fake(model, image, mask=None, auto_mask='lip', **kwargs):
        calls.update(mask=mask, auto_mask=auto_mask, model=model)
        out = image.copy()
        out[10:20, 10:20] = 0
        hole = np.zeros(image.shape[:2], np.uint8)
        hole[10:20, 10:20] = 255
        points = np.stack([np.linspace(5, 50, 68), np.full(68, 30.0)], 1)
        return SimpleNamespace(
            image=out, mask=hole, landmarks=points.astype(np.float32),
            face_index=0, box=(0, 0, 56, 40), note='',
        )  # fmt: skip

    monkeypatch.setattr(face, 'inpaint_face', fake)
    return calls


def test_auto_lip_mask_runs_the_face_workflow(tiny_web_model, monkeypatch):
    calls = _fake_face_api(monkeypatch)
    config, ckpt = tiny_web_model  # a stand-in model: inpaint_face is faked
    menu = [ModelChoice('face', str(config), str(ckpt), 'nclg_mt')]
    assert menu[0].is_face
    assert face_service.face_api_available()
    img = _picture()
    out, shown = face_service.handle_face_request(
        ModelCache(), menu, 'face', 'cpu', _editor(img), show_landmarks=True
    )
    assert out.ok, out.message
    assert calls['mask'] is None
    assert calls['auto_mask'] == 'lip'
    assert 'automatic lip mask (100 hole pixels), predicted landmarks drawn' in (
        out.message
    )
    assert np.array_equal(out.result[20:], img[20:])
    assert not np.array_equal(shown, out.result)  # landmarks drawn on the view
    # painted strokes are the hole instead of the automatic mask
    stroke = _layer(40, 56, (1, 4, 1, 4))
    out, shown = face_service.handle_face_request(
        ModelCache(), menu, 'face', 'cpu', _editor(img, stroke)
    )
    assert out.ok
    assert calls['mask'].sum() == 9
    assert np.array_equal(shown, out.result)


def test_auto_lip_mask_needs_a_face_model(tiny_choice, monkeypatch):
    _fake_face_api(monkeypatch)
    assert not tiny_choice[0].is_face
    out, shown = face_service.handle_face_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', _editor(_picture())
    )
    assert shown is None
    assert 'needs a face model' in out.message


def test_fixed_size_face_model_runs_on_any_picture_size():
    # the tiny NCLG-MT demo config (64 x 64 input), random weights
    from .conftest import REPO

    config = REPO / 'configs/nclg/nclg-tiny_1xb4-300_demo-face-64x64.py'
    menu = [ModelChoice('nclg', str(config), None, 'nclg')]
    img = _picture(90, 70)
    editor = _editor(img, _layer(90, 70, (30, 50, 20, 40)))
    with pytest.warns(UserWarning, match='random weights'):
        out = handle_request(ModelCache(), menu, 'nclg', 'cpu', editor)
    assert out.ok, out.message
    assert out.result.shape == (90, 70, 3)
    hole = np.zeros((90, 70), bool)
    hole[30:50, 20:40] = True
    assert np.array_equal(out.result[~hole], img[~hole])


def test_picture_status_names_the_size_once_the_picture_is_there():
    assert picture_status(None) == ''
    assert picture_status({'background': None, 'layers': []}) == ''
    status = picture_status({'background': np.zeros((120, 160, 4), np.uint8)})
    assert status.startswith('Picture loaded (160x120)')


def test_picture_key_tells_a_new_picture_from_a_stroke():
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, (120, 160, 4), dtype=np.uint8)
    stroke = np.zeros_like(picture)
    stroke[40:60, 50:90] = 255
    key = picture_key({'background': picture, 'layers': []})
    assert picture_key(None) is None
    assert picture_key({'background': None, 'layers': []}) is None
    painted = {'background': picture.copy(), 'layers': [stroke]}
    assert picture_key(painted) == key
    other = picture.copy()
    other[::8, ::8] ^= 1  # a different picture of the same size
    assert picture_key({'background': other, 'layers': []}) != key
    assert picture_key({'background': picture[:, :120]}) != key


def test_status_is_announced_once_per_picture():
    gr = pytest.importorskip('gradio')
    from inpaintzoo.web.app import _picture_ready

    editor = {'background': np.zeros((120, 160, 4), np.uint8), 'layers': []}
    status, seen = _picture_ready(editor, None)
    assert status.startswith('Picture loaded (160x120)')
    # a stroke on the same picture (e.g. a change event after a Run) keeps the
    # status line as it is
    editor['layers'] = [np.full((120, 160, 4), 255, np.uint8)]
    status, again = _picture_ready(editor, seen)
    assert status == gr.update()
    assert again == seen
    new = {'background': np.ones((90, 70, 4), np.uint8), 'layers': []}
    assert _picture_ready(new, seen)[0].startswith('Picture loaded (70x90)')
    assert _picture_ready({'background': None}, seen) == (gr.update(), seen)


def test_every_request_gives_freed_memory_back_afterwards(tiny_choice, monkeypatch):
    """Answered, failed and face requests alike (only matters where it is kept)."""
    released = []
    monkeypatch.setattr(
        service.freed_memory, 'release_freed_memory', lambda: released.append(1)
    )
    editor = _editor(_picture(), _layer(40, 56, (5, 15, 10, 30)))
    assert handle_request(ModelCache(), tiny_choice, 'tiny', 'cpu', editor).ok
    assert released == [1]
    assert not handle_request(ModelCache(), [], None, 'cpu', editor).ok
    assert released == [1, 1]
    out, _ = face_service.handle_face_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', None
    )
    assert not out.ok
    assert released == [1, 1, 1]


def test_auto_rule_is_the_inference_api_rule():
    from inpaintzoo.apis.highres import AUTO_WHOLE_MAX_PIXELS
    from inpaintzoo.web.service import MAX_PIXELS

    assert MAX_PIXELS['whole'] == AUTO_WHOLE_MAX_PIXELS


def test_grey_picture_gets_a_grey_fill_in_the_browser_too(tiny_choice):
    grey = np.repeat(_picture(45, 61)[..., :1], 3, axis=2)
    editor = _editor(grey, _layer(45, 61, (10, 25, 20, 40)))
    out = handle_request(
        ModelCache(), tiny_choice, 'tiny', 'cpu', editor, None, 'auto', None
    )
    assert out.ok, out.message
    assert (out.result[..., 0] == out.result[..., 1]).all()
    assert (out.result[..., 1] == out.result[..., 2]).all()
    assert not np.array_equal(out.result, grey)  # the hole was filled


def test_face_box_text_is_read_as_a_face_number_or_empty():
    """The page's "Face" box is text: empty = the face holding the painted hole."""
    read = face_service._face_index
    assert read(None) is None
    assert read('') is None
    assert read('  ') is None
    assert read(' 1 ') == 1
    assert read('2.0') == 2
    for bad in ('one', '-1', '1.5', 'nan', 'inf'):
        with pytest.raises(InvalidImageError, match='whole number >= 0'):
            read(bad)
