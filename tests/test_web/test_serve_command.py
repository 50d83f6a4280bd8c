"""``inpaintzoo serve``: arguments, the missing-Gradio message, the page layout."""

import sys

import pytest

from inpaintzoo.cli import cmd_serve
from inpaintzoo.cli.main import build_parser
from inpaintzoo.utils.errors import MissingDependencyError


def test_defaults_bind_this_machine_only():
    args = build_parser().parse_args(['serve'])
    assert args.host == '127.0.0.1'
    assert args.port == 7860
    assert args.model is None
    assert args.handler is cmd_serve.run_serve


def test_help_says_make_demo_needs_a_clone(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(['serve', '--help'])
    text = ' '.join(capsys.readouterr().out.split())
    assert '`make demo` (in a clone of the repository) wrote its checkpoints' in text


def test_without_gradio_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, 'gradio', None)  # import gradio -> ImportError
    monkeypatch.setattr(cmd_serve.tempfile, 'tempdir', str(tmp_path))
    args = build_parser().parse_args(['serve'])
    with pytest.raises(MissingDependencyError, match=r'inpaintzoo\[web\]'):
        cmd_serve.run_serve(args)
    assert list(tmp_path.iterdir()) == []  # its temp folder is removed


def test_bad_device_is_refused_before_the_app_starts(monkeypatch, tmp_path):
    from inpaintzoo.utils.errors import ConfigError

    monkeypatch.setattr(cmd_serve.tempfile, 'tempdir', str(tmp_path))
    monkeypatch.setattr(
        cmd_serve, 'import_app', lambda: pytest.fail('the app was started')
    )
    args = build_parser().parse_args(['serve', '--device', 'foo'])
    with pytest.raises(ConfigError, match='--device foo'):
        cmd_serve.run_serve(args)
    assert list(tmp_path.iterdir()) == []


def test_environment_is_set_for_the_server_process_only(monkeypatch, tmp_path):
    for name in ('GRADIO_ANALYTICS_ENABLED', 'GRADIO_TEMP_DIR'):
        # setenv first: monkeypatch then restores "unset" at teardown (a bare
        # delenv of an unset variable records nothing, and the values this test
        # makes would leak into later tests of the process)
        monkeypatch.setenv(name, 'unset at teardown')
        monkeypatch.delenv(name)
    cmd_serve.prepare_gradio_environment(str(tmp_path))
    import os

    assert os.environ['GRADIO_ANALYTICS_ENABLED'] == 'False'
    assert os.environ['GRADIO_TEMP_DIR'] == str(tmp_path)


@pytest.mark.slow
def test_page_builds_with_the_face_button_hidden_for_other_models(
    tiny_web_model, tmp_path
):
    pytest.importorskip('gradio')
    from inpaintzoo.web import app
    from inpaintzoo.web.model_menu import ModelChoice

    config, ckpt = tiny_web_model
    menu = [ModelChoice('tiny', str(config), str(ckpt), 'hint')]
    demo = app.build_app(menu, tmp_path, 'cpu')
    ids = {
        getattr(b, 'elem_id', None): b
        for b in demo.blocks.values()
        if getattr(b, 'elem_id', None)
    }
    assert {'editor', 'model', 'run', 'status', 'before-after', 'result-file'} <= set(
        ids
    )
    assert ids['auto-lip'].parent.visible is False
    assert sorted(p.name for p in (tmp_path / 'examples').iterdir()) == [
        'astronaut.png', 'chelsea.png', 'coffee.png',
    ]  # fmt: skip
    face = [ModelChoice('face', str(config), str(ckpt), 'nclg')]
    demo = app.build_app(face, tmp_path, 'cpu')
    lip = next(
        b for b in demo.blocks.values() if getattr(b, 'elem_id', '') == 'auto-lip'
    )
    assert lip.parent.visible is True


def _refused(monkeypatch, tmp_path, argv: list[str]) -> str:
    """The one-line ConfigError of ``serve ARGV``, raised before the app starts."""
    from inpaintzoo.utils.errors import ConfigError

    monkeypatch.setattr(cmd_serve.tempfile, 'tempdir', str(tmp_path))
    monkeypatch.setattr(
        cmd_serve, 'import_app', lambda: pytest.fail('the app was started')
    )
    with pytest.raises(ConfigError) as err:
        cmd_serve.run_serve(build_parser().parse_args(['serve', *argv]))
    assert list(tmp_path.iterdir()) == []
    assert '\n' not in str(err.value)
    return str(err.value)


def test_missing_model_or_checkpoint_is_refused_at_start(
    monkeypatch, tmp_path, tiny_web_model
):
    config, _ = tiny_web_model
    missing = tmp_path.parent / 'nope.py'
    assert "config '" in _refused(monkeypatch, tmp_path, ['--model', str(missing)])
    message = _refused(
        monkeypatch, tmp_path, ['--model', str(config), '--checkpoint', 'nope.pth']
    )
    assert message == '--checkpoint nope.pth does not exist'
    message = _refused(monkeypatch, tmp_path, ['--checkpoint', str(config)])
    assert 'needs --model' in message


def test_port_in_use_is_one_line_naming_a_free_one(monkeypatch, tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = _refused(monkeypatch, tmp_path, ['--port', str(port)])
    assert message.startswith(f'port {port} is in use: pass --port ')
    other = int(message.rsplit(' ', 1)[1])
    assert other != port
