"""``--keep-freed-memory``: the program opts in, in-process callers do not."""

import pytest

from inpaintzoo.cli.main import build_parser, cli_main
from inpaintzoo.utils import ImageReadError, freed_memory


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record keep_freed_memory() calls instead of changing this process."""
    made: list[int] = []
    monkeypatch.setattr(freed_memory, 'keep_freed_memory', lambda: made.append(1))
    monkeypatch.setenv(freed_memory.ENV_VAR, 'on')
    return made


def _inpaint_missing_file(tmp_path) -> list[str]:
    return ['inpaint', '--model', 'x', str(tmp_path / 'missing.png'), '--mask',
            str(tmp_path / 'm.png'), '--out', str(tmp_path / 'o')]  # fmt: skip


def test_the_program_keeps_freed_memory_before_the_command_runs(tmp_path, calls):
    with pytest.raises(ImageReadError):
        cli_main(_inpaint_missing_file(tmp_path), program=True)
    assert calls == [1]


def test_in_process_callers_and_the_off_switches_leave_the_allocator(
    tmp_path, calls, monkeypatch
):
    with pytest.raises(ImageReadError):
        cli_main(_inpaint_missing_file(tmp_path))
    with pytest.raises(ImageReadError):
        cli_main([*_inpaint_missing_file(tmp_path), '--no-keep-freed-memory'],
                 program=True)  # fmt: skip
    monkeypatch.setenv(freed_memory.ENV_VAR, 'off')
    with pytest.raises(ImageReadError):
        cli_main(_inpaint_missing_file(tmp_path), program=True)
    assert calls == []


@pytest.mark.parametrize(
    'argv',
    [
        'inpaint a.png --model m --mask k.png --out o',
        'restore a.png --model m --out o',
        'serve',
    ],
)
def test_model_commands_take_the_option(argv, monkeypatch):
    monkeypatch.setenv(freed_memory.ENV_VAR, 'on')
    parser = build_parser()
    assert parser.parse_args(argv.split()).keep_freed_memory is True
    off = parser.parse_args([*argv.split(), '--no-keep-freed-memory'])
    assert off.keep_freed_memory is False


def test_environment_words(monkeypatch):
    for word, expected in [('on', True), ('', True), ('OFF', False), ('0', False)]:
        monkeypatch.setenv(freed_memory.ENV_VAR, word)
        assert freed_memory.keep_by_default() is expected
    monkeypatch.setenv(freed_memory.ENV_VAR, 'sometimes')
    with pytest.raises(
        ValueError, match='INPAINTZOO_KEEP_FREED_MEMORY must be on or off'
    ):
        freed_memory.keep_by_default()
