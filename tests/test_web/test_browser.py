"""``inpaintzoo serve`` driven by a real headless Chromium, as a person uses it.

The server runs in a subprocess on a free 127.0.0.1 port with a tiny HINT of
random weights (nothing is trained); Playwright drives Debian's ``chromium``
binary (``executable_path``: no browser is downloaded). Skipped when no
Chromium binary is installed (``make test`` installs it when run as root), or
Playwright (the ``dev`` extra) or Gradio (``web``) is missing.

Set ``INPAINTZOO_WEB_SCREENSHOT=path.png`` to keep the screenshot of the first
case (``docs/figures/web_app.png`` is made that way).
"""

import contextlib
import importlib.util
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .conftest import REPO, write_tiny_model

#: Chromium binaries looked for, in order (``INPAINTZOO_CHROMIUM`` first)
CHROMIUM_NAMES = ('chromium', 'chromium-browser', 'google-chrome', 'chrome')
#: seconds to wait for the server to answer (imports torch and Gradio)
START_TIMEOUT = 240
#: milliseconds to wait for a run's status line
RUN_TIMEOUT_MS = 180_000


def find_chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    env = os.environ.get('INPAINTZOO_CHROMIUM')
    if env:
        return env if Path(env).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = find_chromium()
#: what else the tests need: the dev extra brings Playwright, the web extra Gradio
MISSING = [
    f'{name} is not installed (pip install -e ".[{extra}]", or make install)'
    for name, extra in (('playwright', 'dev'), ('gradio', 'web'))
    if importlib.util.find_spec(name) is None
]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason='; '.join(MISSING)),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason='no Chromium binary (chromium / chromium-browser on PATH, or '
        '$INPAINTZOO_CHROMIUM): install it with `apt-get install chromium` '
        '(`make test` does so when run as root)',
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f'inpaintzoo serve exited with {proc.returncode}:\n'
                        f'{log.read_text()}')  # fmt: skip
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f'inpaintzoo serve did not answer in {START_TIMEOUT} s:\n'
                f'{log.read_text()}')  # fmt: skip


@contextlib.contextmanager
def _serving(root: Path, config: Path, ckpt: Path) -> Iterator[str]:
    """Run ``inpaintzoo serve --model config --checkpoint ckpt``; yield its URL.

    The server's temp folder is ``root/tmp``; once the server has stopped it
    must be empty (uploads and results are removed).
    """
    temp = root / 'tmp'
    temp.mkdir()
    port = _free_port()
    env = dict(os.environ, TMPDIR=str(temp), INPAINTZOO_HOME=str(root / 'cache'))
    env.pop('GRADIO_ANALYTICS_ENABLED', None)
    log = root / 'serve.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [sys.executable, '-m', 'inpaintzoo.cli.main', 'serve',
             '--model', str(config), '--checkpoint', str(ckpt),
             '--port', str(port), '--device', 'cpu',
             '--demo-root', str(root / 'demo')],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f'http://127.0.0.1:{port}/'
    try:
        _wait_until_up(url, proc, log)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # the uploads and results lived in the server's temp folder, now removed
    assert list(temp.iterdir()) == [], log.read_text()


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """``(url, root)`` of a running server; stops it and checks its cleanup."""
    root = tmp_path_factory.mktemp('web_server')
    config, ckpt = write_tiny_model(root / 'model')
    broken = root / 'demo' / 'hint' / 'iter_1.pth'  # a damaged demo checkpoint
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b'not a checkpoint')
    with _serving(root, config, ckpt) as url:
        yield url, root


@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, args=['--no-sandbox', '--disable-dev-shm-usage']
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={'width': 1400, 'height': 1000})
    page = context.new_page()
    page.goto(server[0])
    page.wait_for_selector('#editor input[type=file]', state='attached', timeout=60_000)
    yield page
    context.close()


@pytest.fixture(scope='module')
def picture(tmp_path_factory) -> tuple[Path, np.ndarray]:
    """A 160 x 120 photo (scikit-image's cat) as a PNG file and its pixels."""
    from skimage import data

    pixels = np.ascontiguousarray(data.chelsea()[60:180, 150:310])
    path = tmp_path_factory.mktemp('picture') / 'cat.png'
    Image.fromarray(pixels).save(path)
    return path, pixels


#: an upload is given this long (ms) to reach the editor's value
UPLOAD_TIMEOUT_MS = 60_000


def _upload(page, path: Path, attempts: int = 3) -> None:
    """Upload ``path`` into the editor; wait until the page says it has it.

    The editor's ``upload``/``change`` events answer with "Picture loaded (WxH)"
    once the picture is part of the editor's value (what Run sends). On a
    loaded machine the editor has been seen not to hand a picture over at all;
    a person would then reload the page and upload again, and so does this.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        page.set_input_files('#editor input[type=file]', str(path))
        try:
            page.wait_for_function(
                "() => document.querySelector('#status').innerText"
                ".includes('Picture loaded')",
                timeout=UPLOAD_TIMEOUT_MS,
            )
            break
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.reload()
            page.wait_for_selector(
                '#editor input[type=file]', state='attached', timeout=60_000
            )
    # the canvas shows its zoom level once the picture is laid out
    page.wait_for_function(
        "() => document.querySelector('#editor').innerText.includes('%')",
        timeout=60_000,
    )
    page.wait_for_timeout(1000)


def _stroke(page, dx: float = 60) -> tuple[float, float]:
    """Drag the mouse across the canvas centre; returns the centre (px)."""
    box = page.locator('#editor canvas').first.bounding_box()
    cx, cy = box['x'] + box['width'] / 2, box['y'] + box['height'] / 2
    page.mouse.move(cx - dx, cy)
    page.mouse.down()
    page.mouse.move(cx + dx, cy, steps=20)
    page.mouse.up()
    page.wait_for_timeout(500)
    return cx, cy


#: the status line's text once it holds a final message other than ``before``
#: and its progress is hidden (else false)
RUN_FINISHED = """(before) => {
    const box = document.querySelector('#status');
    const tracker = box.querySelector('[data-testid=status-tracker]');
    const text = box.innerText.trim();
    const done = (!tracker || tracker.classList.contains('hide'))
        && text !== before
        && (text.startsWith('Done in') || text.startsWith('Error'));
    return done ? text : false;
}"""


def _run(page, button: str = '#run') -> str:
    """Press Run and wait until the queued request has answered.

    The status line before the press ("Picture loaded", or the previous run's
    message) differs from every final message, so an answer is never mistaken
    for the one before it. The text returned is the one read when the answer
    arrived: a later event of the editor (a stroke's change event can come after
    the run) may show its progress timer in the same box.
    """
    before = page.inner_text('#status').strip()
    with page.expect_response(lambda r: 'queue/join' in r.url):
        page.click(button)
    done = page.wait_for_function(RUN_FINISHED, arg=before, timeout=RUN_TIMEOUT_MS)
    return done.json_value()


def _result(page) -> np.ndarray:
    """The result file the page offers for download, as (H, W, 3) uint8 RGB."""
    href = page.locator('#result-file a[download]').get_attribute('href')
    assert href.endswith('.png')
    body = page.request.get(href).body()
    return np.asarray(Image.open(io.BytesIO(body)).convert('RGB'))


def _zoom(page) -> float:
    """The canvas zoom the editor shows (``'240%'`` -> 2.4)."""
    text = page.inner_text('#editor')
    return float(next(t for t in text.split() if t.endswith('%'))[:-1]) / 100


def test_paint_run_and_download(page, picture, tmp_path):
    path, pixels = picture
    _upload(page, path)
    zoom = _zoom(page)
    dx = 60
    _stroke(page, dx)
    status = _run(page)
    assert status.startswith('Done in'), status
    assert "strategy 'whole'" in status
    holes = int(re.search(r'(\d+) hole pixels', status).group(1))
    href = page.locator('#result-file a[download]').get_attribute('href')
    assert href.endswith('.png')
    body = page.request.get(href).body()
    result = np.asarray(Image.open(io.BytesIO(body)).convert('RGB'))
    assert result.shape == pixels.shape

    changed = np.any(result != pixels, axis=2)
    h, w = pixels.shape[:2]
    # the stroke: a horizontal line through the picture centre, 2 * dx screen
    # pixels long (the picture is centred in the canvas), with a brush of
    # radius < h / 4 picture pixels (the editor's automatic size)
    half, radius = dx / zoom, h / 4
    cy, cx = h / 2, w / 2
    line = changed[int(cy), int(cx - half) : int(cx + half)]
    assert line.mean() > 0.95, 'the model did not fill the painted stroke'
    # inside the painted hole the model's output, outside it the uploaded
    # picture (compositing): only hole pixels changed, nearly all of them
    assert holes * 0.95 <= changed.sum() <= holes
    ys, xs = np.nonzero(changed)
    assert cy - radius <= ys.min()
    assert ys.max() <= cy + radius
    assert cx - half - radius <= xs.min()
    assert xs.max() <= cx + half + radius

    shot = Path(os.environ.get('INPAINTZOO_WEB_SCREENSHOT', tmp_path / 'web_app.png'))
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as img:
        assert img.format == 'PNG'
        assert img.width >= 1000


def test_run_without_mask_shows_the_message(page, picture):
    _upload(page, picture[0])
    status = _run(page)
    assert 'No mask' in status
    assert 'paint the hole' in status
    assert page.locator('#result-file a[download]').count() == 0


def test_failing_request_shows_a_message_and_the_server_keeps_serving(
    page, browser, server, picture
):
    # the damaged demo checkpoint of the model menu fails to load
    _upload(page, picture[0])
    _stroke(page)
    page.click('#model input')
    page.locator('[role=option]', has_text='hint (demo, iter_1.pth)').click()
    status = _run(page)
    assert status.startswith('Error'), status
    assert 'iter_1.pth' in status
    # the same page with the good model, then a new session: both served
    page.click('#model input')
    page.locator('[role=option]', has_text='hint-tiny_web.py').click()
    assert _run(page).startswith('Done in')
    other = browser.new_page()
    try:
        other.goto(server[0])
        other.wait_for_selector('#run', timeout=60_000)
        _upload(other, picture[0])
        _stroke(other)
        assert _run(other).startswith('Done in')
    finally:
        other.close()


def test_files_that_are_not_images_get_a_message(page, picture, tmp_path):
    text = tmp_path / 'notes.png'
    text.write_text('not a picture')
    # into the editor: the browser cannot decode it, the page says so at once
    page.set_input_files('#editor input[type=file]', str(text))
    page.wait_for_function(
        "() => document.querySelector('#status').innerText"
        ".includes('notes.png is not an image file')",
        timeout=60_000,
    )
    # as the mask: read by the server, named in the status line
    _upload(page, picture[0])
    _stroke(page)
    page.set_input_files('#mask-upload input[type=file]', str(text))
    # uploaded once the file box lists it and no longer says "Uploading 1 file..."
    # (a fixed wait was too short under load; the name shows as 'notes' '.png')
    page.wait_for_function(
        "() => { const t = document.querySelector('#mask-upload').innerText;"
        " return t.includes('notes') && !t.includes('Uploading'); }",
        timeout=UPLOAD_TIMEOUT_MS,
    )
    page.wait_for_timeout(500)
    status = _run(page)
    assert status.startswith('Error'), status
    assert 'uploaded mask notes.png' in status
    assert 'not an image file' in status


@pytest.fixture(scope='module')
def face_server(tmp_path_factory):
    """URL of a server whose model is a tiny NCLG-MT (random weights)."""
    pytest.importorskip('dlib', reason='dlib backend not installed (inpaintzoo[face])')
    from tests.test_apis.tiny_nclg import write_tiny_nclg

    root = tmp_path_factory.mktemp('web_face_server')
    config, ckpt = write_tiny_nclg(root / 'model', 64)
    with _serving(root, config, ckpt) as url:
        yield url


def test_auto_lip_mask_on_two_faces_takes_the_face_number(
    browser, face_server, tmp_path
):
    """The face row shows for a face model; the Face box picks the face."""
    from tests.test_face.face_photos import CELEBA_00000, CELEBAHQ_1, photo

    # the left face fills x < 256, the right one x >= 256
    pixels = np.concatenate([photo(CELEBA_00000), photo(CELEBAHQ_1)[::2, ::2]], axis=1)
    path = tmp_path / 'two_faces.png'
    Image.fromarray(pixels).save(path)
    context = browser.new_context(viewport={'width': 1400, 'height': 1000})
    page = context.new_page()
    try:
        page.goto(face_server)
        page.wait_for_selector('#auto-lip', state='visible', timeout=60_000)
        _upload(page, path)
        status = _run(page, '#auto-lip')
        assert status.startswith('Error'), status
        assert '2 faces found' in status
        assert '"Face"' in status
        # the Face box starts empty: a stroke on the right-hand face picks it
        zoom = _zoom(page)
        box = page.locator('#editor canvas').first.bounding_box()
        cx, cy = box['x'] + box['width'] / 2, box['y'] + box['height'] / 2
        h, w = pixels.shape[:2]
        y, x0, x1 = (cy + (180 - h / 2) * zoom, cx + (360 - w / 2) * zoom,
                     cx + (400 - w / 2) * zoom)  # fmt: skip
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move(x1, y, steps=10)
        page.mouse.up()
        page.wait_for_timeout(500)
        assert page.input_value('#face-index input') == ''
        status = _run(page, '#auto-lip')
        assert status.startswith('Done in'), status
        assert 'face 1 at' in status
        result = _result(page)
        assert result.shape == pixels.shape
        # the right-hand face's lip region was inpainted, the left face not
        assert np.array_equal(result[:, :250], pixels[:, :250])
        assert np.any(result[:, 256:] != pixels[:, 256:])
        # a number in the Face box wins over the stroke (which is not on face 0);
        # text is refused
        page.fill('#face-index input', '0')
        page.locator('#face-index input').press('Enter')
        status = _run(page, '#auto-lip')
        assert status.startswith('Error'), status
        assert 'no hole inside the aligned crop of face 0' in status
        page.fill('#face-index input', 'one')
        page.locator('#face-index input').press('Enter')
        status = _run(page, '#auto-lip')
        assert status.startswith('Error'), status
        assert 'whole number' in status
    finally:
        context.close()
