"""The Gradio page of ``inpaintzoo serve`` (imports Gradio: use through the CLI).

Layout: on the left the picture with a brush (size slider, eraser) to paint the
hole, an optional mask upload and example pictures; on the right the model,
device and high-resolution strategy menus, the Run button (and, for a face
model, the "Auto lip mask" button of the cleft-lip workflow with the predicted
landmarks overlaid on request; a Face number for photos with several faces), a
status line (the server's model time, or what went wrong), a before/after slider
(JPEG preview) and the result as a PNG download.

Requests go through Gradio's queue, so a long run shows its progress (one step
per network forward) while the page stays responsive. Each browser session
keeps its own results folder in a ``gr.State``, deleted when the session ends;
the server-wide state is only the model cache (read-only weights). All model
work is in :mod:`inpaintzoo.web.service`.
"""

import logging
import os
import shutil
import signal
import tempfile
import uuid
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image

from inpaintzoo.web import editor_inputs, face_service, model_menu, service

logger = logging.getLogger(__name__)

#: scikit-image pictures offered as examples (shipped with scikit-image)
EXAMPLE_PICTURES = ('chelsea', 'coffee', 'astronaut')
#: brush colour on the canvas (any colour paints the hole; alpha is what counts)
BRUSH_COLOR = '#ff00ff'
#: how often (s) and after how long (s) Gradio deletes cached uploads/results
DELETE_CACHE = (600, 3600)
INTRO = (
    '# inpaintzoo: paint the hole, press Run\n'
    'Upload a picture (or pick an example), paint over what should be filled with '
    'the brush (its size is in the brush menu; the eraser removes paint), or upload '
    'a mask (white = hole). Large pictures use a high-resolution strategy.'
)


#: page-load script: an upload the editor cannot decode sends its file name to
#: the hidden ``#upload-problem`` box (the editor itself stays silent about it)
WATCH_UPLOADS_JS = """() => {
  const report = (name) => {
    const box = document.querySelector('#upload-problem textarea');
    if (!box) return;
    box.value = name + '#' + Date.now();  // a new value each time: a change
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  const check = (file) => {
    if (file) createImageBitmap(file).then((b) => b.close(), () => report(file.name));
  };
  const inEditor = (el) => el instanceof Element && el.closest('#editor');
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (inEditor(t) && t.type === 'file' && t.files) check(t.files[0]);
  }, true);
  document.addEventListener('drop', (e) => {
    if (inEditor(e.target) && e.dataTransfer) check(e.dataTransfer.files[0]);
  }, true);
}"""


def _unreadable_upload(value: str | None) -> tuple[Any, None]:
    """Status after the browser failed to decode an upload into the editor.

    ``value``: ``'<file name>#<time>'``, set by :data:`WATCH_UPLOADS_JS`.

    Returns:
        tuple: the status update and ``None`` for the announced picture (the
        next picture loaded is announced again, even the previous one).
    """
    if not value:
        return gr.update(), None
    name = value.rsplit('#', 1)[0]
    return service.NOT_AN_IMAGE_MESSAGE.format(name=name), None


def write_examples(folder: Path) -> list[str]:
    """Save :data:`EXAMPLE_PICTURES` as PNG files in ``folder``; their paths."""
    try:
        from skimage import data
    except ImportError:  # pragma: no cover - scikit-image is a runtime dependency
        return []
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in EXAMPLE_PICTURES:
        path = folder / f'{name}.png'
        if not path.is_file():
            arr = getattr(data, name)()
            Image.fromarray(np.asarray(arr)[..., :3]).save(path)
        paths.append(str(path))
    return paths


def _picture_ready(editor: dict | None, seen: str | None) -> tuple[Any, str | None]:
    """Status after the editor's value changed: the picture's size, once per picture.

    Every brush stroke changes the editor's value too, and its change event can
    arrive after a Run has answered: the status line is rewritten only for a
    picture it has not announced yet (``seen``: :func:`editor_inputs.picture_key` of the
    last one), so a result message is not replaced by "Picture loaded".

    Returns:
        tuple: the status update and the new ``seen``.
    """
    key = editor_inputs.picture_key(editor)
    if key is None or key == seen:
        return gr.update(), seen
    return editor_inputs.picture_status(editor), key


def _delete_session_folder(state: dict | None) -> None:
    """``gr.State`` delete callback: remove the session's results folder."""
    folder = (state or {}).get('dir')
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def _session_folder(state: dict | None, results_root: Path) -> tuple[dict, Path]:
    state = dict(state or {})
    if not state.get('dir'):
        folder = results_root / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        state['dir'] = str(folder)
    return state, Path(state['dir'])


def build_app(
    choices: list[model_menu.ModelChoice],
    temp_dir: str | os.PathLike,
    default_device: str | None = None,
) -> gr.Blocks:
    """The page.

    Args:
        choices (list[ModelChoice]): the model menu (may be empty: the page
            then says how to get a model).
        temp_dir (str | Path): the server's temporary folder (results, examples).
        default_device (str, optional): preselected device (default: the first
            GPU if any, else CPU).

    Returns:
        gr.Blocks: the app, queued (not launched).
    """
    temp = Path(temp_dir)
    results_root = temp / 'results'
    cache = model_menu.ModelCache()
    devices = model_menu.device_choices()
    device = default_device or (devices[1] if len(devices) > 1 else 'cpu')
    if device not in devices:
        devices.append(device)
    labels = [c.label for c in choices]
    face_ok = face_service.face_api_available()
    first_is_face = bool(choices) and choices[0].is_face

    def run(
        editor: dict | None,
        mask_upload: str | None,
        label: str | None,
        dev: str,
        strategy: str,
        state: dict | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's idiom
    ) -> tuple[str, Any, Any, dict | None]:
        def report(done: int, total: int) -> None:
            progress((done, total), desc='inpainting', unit='network calls')

        outcome = service.handle_request(
            cache, choices, label, dev, editor, mask_upload, strategy, report
        )
        if not outcome.ok:
            return outcome.message, None, None, state
        state, path = _save_result(state, outcome.result)
        return outcome.message, (outcome.image, outcome.result), path, state

    def _save_result(state: dict | None, result: np.ndarray) -> tuple[dict, str]:
        state, folder = _session_folder(state, results_root)
        path = folder / f'inpainted_{uuid.uuid4().hex[:8]}.png'
        Image.fromarray(result).save(path)
        return state, str(path)

    def run_face(
        editor: dict | None,
        label: str | None,
        dev: str,
        show_landmarks: bool,
        face_index: str | None,
        state: dict | None,
    ) -> tuple[str, Any, Any, dict | None]:
        outcome, shown = face_service.handle_face_request(
            cache, choices, label, dev, editor, show_landmarks, face_index
        )
        if not outcome.ok:
            return outcome.message, None, None, state
        state, path = _save_result(state, outcome.result)
        return outcome.message, (outcome.image, shown), path, state

    def face_controls(label: str | None) -> Any:
        choice = next((c for c in choices if c.label == label), None)
        return gr.update(visible=face_ok and choice is not None and choice.is_face)

    with gr.Blocks(
        title='inpaintzoo', analytics_enabled=False, delete_cache=DELETE_CACHE
    ) as demo:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=3):
                editor = gr.ImageEditor(
                    label='Picture: paint the hole',
                    type='numpy',
                    image_mode='RGBA',
                    sources=('upload', 'clipboard'),
                    brush=gr.Brush(colors=[BRUSH_COLOR], color_mode='fixed'),
                    eraser=gr.Eraser(),
                    layers=False,
                    transforms=(),
                    format='png',
                    elem_id='editor',
                )
                # a file, decoded by our own reader: a file that is not an
                # image gets a message in the status line (gr.Image would fail
                # in Gradio's preprocessing with a bare "Error" badge)
                mask_upload = gr.File(
                    label='Mask (optional, white = hole)',
                    type='filepath',
                    height=100,
                    elem_id='mask-upload',
                )
                upload_problem = gr.Textbox(visible='hidden', elem_id='upload-problem')
                examples = write_examples(temp / 'examples')
                if examples:
                    gr.Examples(examples=examples, inputs=editor, label='Examples')
            with gr.Column(scale=2):
                model = gr.Dropdown(
                    labels,
                    value=labels[0] if labels else None,
                    label='Model',
                    elem_id='model',
                )
                with gr.Row():
                    dev = gr.Dropdown(devices, value=device, label='Device')
                    strategy = gr.Dropdown(
                        list(service.STRATEGY_CHOICES),
                        value='auto',
                        label='High-resolution strategy',
                        info="auto: whole picture up to 1 MP, 'crop' above",
                    )
                run_button = gr.Button('Run', variant='primary', elem_id='run')
                with gr.Row(visible=face_ok and first_is_face) as face_row:
                    lip_button = gr.Button('Auto lip mask', elem_id='auto-lip')
                    show_landmarks = gr.Checkbox(
                        label='overlay predicted landmarks', value=False
                    )
                    # a text box: Gradio's Number shows and sends 0 when empty,
                    # and empty must mean "the face holding the painted hole"
                    face_index = gr.Textbox(
                        label='Face (0 = leftmost; empty: the painted one)',
                        value='',
                        placeholder='empty: the painted face',
                        max_lines=1,
                        elem_id='face-index',
                    )
                status = gr.Markdown(
                    '' if labels else f'**Error:** {model_menu.no_model_message()}',
                    elem_id='status',
                )
                before_after = gr.ImageSlider(
                    label='Before / after (preview; the download is lossless)',
                    type='numpy',
                    format='jpeg',  # fast to encode and send; PNG took seconds
                    elem_id='before-after',
                )
                result_file = gr.File(
                    label='Result (PNG)', interactive=False, elem_id='result-file'
                )
        state = gr.State(None, delete_callback=_delete_session_folder)
        run_button.click(
            run,
            inputs=[editor, mask_upload, model, dev, strategy, state],
            outputs=[status, before_after, result_file, state],
            concurrency_limit=1,
        )
        lip_button.click(
            run_face,
            inputs=[editor, model, dev, show_landmarks, face_index, state],
            outputs=[status, before_after, result_file, state],
            concurrency_limit=1,
        )
        model.change(face_controls, inputs=model, outputs=face_row)
        # the page says when the picture has reached the editor's value (a Run
        # pressed before that would find no picture); the editor may hand it
        # over with the upload event or with a later change
        announced = gr.State(None)  # picture_key of the picture last announced
        for event in (editor.upload, editor.change):
            event(
                _picture_ready,
                inputs=[editor, announced],
                outputs=[status, announced],
                queue=False,
            )
        upload_problem.change(
            _unreadable_upload,
            inputs=upload_problem,
            outputs=[status, announced],
            queue=False,
        )
        demo.load(None, js=WATCH_UPLOADS_JS)
    return demo.queue(default_concurrency_limit=1)


def serve(
    model: str | None = None,
    checkpoint: str | None = None,
    host: str = '127.0.0.1',
    port: int = 7860,
    device: str | None = None,
    demo_root: str = 'work_dirs/demo',
    temp_dir: str | os.PathLike | None = None,
) -> None:
    """Build the page and serve it until interrupted (Ctrl+C or SIGTERM).

    Never creates a share link; serves files only from ``temp_dir``.
    """
    temp = Path(temp_dir or tempfile.mkdtemp(prefix='inpaintzoo-web-'))
    choices = model_menu.available_models(model, checkpoint, demo_root)
    if not choices:
        logger.warning(model_menu.no_model_message())
    demo = build_app(choices, temp, device)
    # SIGTERM (service managers, test harnesses) ends like Ctrl+C: Gradio closes
    # the server and the caller removes the temporary folder
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        # quiet: Gradio's start-up text suggests share=True, which this app never
        # uses; our own line below names the address instead
        demo.launch(
            server_name=host,
            server_port=port,
            share=False,
            inbrowser=False,
            allowed_paths=[str(temp)],
            footer_links=[],
            theme=gr.themes.Default(),
            quiet=True,
            prevent_thread_lock=True,
        )
    except OSError as err:  # the port was taken after the command's own check
        if 'port' not in str(err).lower():
            raise
        from inpaintzoo.cli.cmd_serve import port_in_use_error

        raise port_in_use_error(host, port) from err
    print(f'inpaintzoo serve: running on {demo.local_url} (Ctrl+C stops it)')
    demo.block_thread()
