"""env_switch: the on/off environment switches of the CPU kernels and the allocator."""

import pytest

from inpaintzoo.models.layers import fused_cpu
from inpaintzoo.utils.env_switch import env_switch
from inpaintzoo.utils.errors import ConfigError

NAME = 'INPAINTZOO_TEST_SWITCH'


@pytest.mark.parametrize(
    ('word', 'expected'),
    [('on', True), (' ON ', True), ('auto', True), ('', True), ('1', True),
     ('off', False), ('False', False), ('0', False), ('no', False)],
)  # fmt: skip
def test_words(monkeypatch, word, expected):
    monkeypatch.setenv(NAME, word)
    assert env_switch(NAME) is expected


def test_unset_is_on_and_other_words_are_refused(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_switch(NAME) is True
    monkeypatch.setenv(NAME, 'maybe')
    with pytest.raises(ConfigError, match=rf"\${NAME} must be on or off, got 'maybe'"):
        env_switch(NAME)


def test_a_bad_word_is_one_error_line_in_the_program(monkeypatch, capsys):
    from inpaintzoo.cli.main import main

    monkeypatch.setenv('INPAINTZOO_KEEP_FREED_MEMORY', 'bogus')
    with pytest.raises(SystemExit) as exc:
        main(['inpaint', 'a.png', '--model', 'm', '--mask', 'b.png', '--out', 'o'])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    expected = "$INPAINTZOO_KEEP_FREED_MEMORY must be on or off, got 'bogus'"
    assert err == f'error: {expected}\n'


def test_cpu_kernels_switch(monkeypatch):
    monkeypatch.setenv(fused_cpu.ENV_VAR, 'off')
    assert fused_cpu.kernels_enabled() is False
    monkeypatch.setenv(fused_cpu.ENV_VAR, 'on')
    assert fused_cpu.kernels_enabled() is True
