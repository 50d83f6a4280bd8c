"""``inpaintzoo.apis.cli``: one-line errors, ``--debug``, ``--cfg-options`` checks."""

import argparse
import io

import pytest
from mmengine.config import Config

from inpaintzoo.apis.cfg_options import (
    add_cfg_options_argument,
    flatten_keys,
    suggest_keys,
    unknown_cfg_keys,
    warn_unknown_cfg_keys,
)
from inpaintzoo.apis.cli import DEBUG_ENV, error_message, is_user_error, run_cli
from inpaintzoo.utils.errors import (
    CheckpointMismatchError,
    ConfigError,
    DataNotFoundError,
    ImageReadError,
    InpaintzooError,
    InvalidMaskError,
    WorkDirLockedError,
)


@pytest.mark.parametrize(
    ('cls', 'builtin'),
    [
        (ConfigError, ValueError),
        (InvalidMaskError, ValueError),
        (ImageReadError, OSError),
        (CheckpointMismatchError, RuntimeError),
        (DataNotFoundError, OSError),
        (WorkDirLockedError, RuntimeError),
    ],
)
def test_every_error_has_the_common_base_and_keeps_its_builtin(cls, builtin):
    err = cls('message naming the file')
    assert isinstance(err, InpaintzooError)
    assert isinstance(err, builtin)
    assert str(err) == 'message naming the file'


def _raiser(exc: BaseException):
    def main():
        raise exc

    return main


def test_user_error_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    with pytest.raises(SystemExit) as stop:
        run_cli(_raiser(ConfigError('key x: bad value 3')), argv=[])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err == 'error: key x: bad value 3\n'


def test_debug_flag_and_env_show_the_traceback(capsys, monkeypatch):
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    with pytest.raises(SystemExit):
        run_cli(_raiser(FileNotFoundError('config a.py does not exist')), ['--debug'])
    err = capsys.readouterr().err
    assert 'Traceback' in err
    assert err.rstrip().endswith('error: config a.py does not exist')
    monkeypatch.setenv(DEBUG_ENV, '1')
    with pytest.raises(SystemExit):
        run_cli(_raiser(FileNotFoundError('x')), argv=[])
    assert 'Traceback' in capsys.readouterr().err


def test_bugs_keep_their_traceback():
    with pytest.raises(ZeroDivisionError):
        run_cli(_raiser(ZeroDivisionError('bug')), argv=[])
    with pytest.raises(KeyError):
        run_cli(_raiser(KeyError('some_dict_key')), argv=[])


def test_status_of_main_is_the_exit_status():
    with pytest.raises(SystemExit) as stop:
        run_cli(lambda: 1, argv=[])
    assert stop.value.code == 1
    with pytest.raises(SystemExit) as stop:
        run_cli(lambda: None, argv=[])
    assert stop.value.code == 0


def test_unknown_registry_type_is_a_user_error():
    exc = KeyError(
        'HINTGenerater is not in the inpaintzoo::model registry. Please check '
        'whether the value of `HINTGenerater` is correct or it was registered'
    )
    assert is_user_error(exc)
    message = error_message(exc)
    assert 'HINTGenerater is not in the inpaintzoo model registry' in message
    assert 'Please check' not in message
    config_syntax = SyntaxError('There are syntax errors in config file a.py: x')
    assert is_user_error(config_syntax)
    assert not is_user_error(SyntaxError('invalid syntax'))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='train.py')
    add_cfg_options_argument(parser)
    return parser


def test_cfg_options_item_without_equals_names_the_item(capsys):
    with pytest.raises(SystemExit) as stop:
        _parser().parse_args(['--cfg-options', 'train_cfg.max_iters=2', 'foo'])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--cfg-options item 'foo' must be KEY=VALUE" in err
    assert 'unpack' not in err
    args = _parser().parse_args(['--cfg-options', 'a.b=2', 'c=[1,2]', 'd=x=y'])
    assert args.cfg_options == {'a.b': 2, 'c': [1, 2], 'd': 'x=y'}


def test_tool_cfg_options_refuse_unparsable_values_in_one_line(capsys):
    """``--cfg-options`` of the tools (``apis.cli``) check values before MMEngine."""
    from inpaintzoo.apis.cli import add_cfg_options_argument as tool_argument

    parser = argparse.ArgumentParser(prog='train.py')
    parser.add_argument('config')
    tool_argument(parser)
    item = "param_scheduler=[dict(type='MultiStepLR',gamma=0.78)]"

    def main() -> None:
        parser.parse_args(['my.py', '--cfg-options', 'a=1', item])

    with pytest.raises(SystemExit) as stop:
        run_cli(main, argv=[])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1
    assert err.startswith(f'error: --cfg-options {item}: dict(...) values are not')
    assert "(_base_ = 'my.py') and set param_scheduler there" in err
    with pytest.raises(ConfigError, match='cannot be parsed'):
        parser.parse_args(['my.py', '--cfg-options', 'a=[(1,2]'])
    # the forms MMEngine reads still parse (a dict without commas is refused
    # later, with the config: check_cfg_option_values)
    items = ['a.b=2', 'c=[1,2]', 'd=(1,[2,3])', 'e=x=y', "f=dict(type='X')"]
    args = parser.parse_args(['my.py', '--cfg-options', *items, 'g=None', 'h=[a,b]'])
    assert args.cfg_options == {
        'a.b': 2,
        'c': [1, 2],
        'd': (1, [2, 3]),
        'e': 'x=y',
        'f': "dict(type='X')",
        'g': None,
        'h': ['a', 'b'],
    }
    with pytest.raises(SystemExit):  # an item without '=' is still argparse's
        parser.parse_args(['my.py', '--cfg-options', 'foo'])
    assert "item 'foo' must be KEY=VALUE" in capsys.readouterr().err


@pytest.fixture(scope='module')
def cfg() -> Config:
    return Config(
        dict(
            max_iters=300,
            train_cfg=dict(type='IterBasedTrainLoop', max_iters=300),
            model=dict(generator=dict(dim=16, num_blocks=[1, 2])),
            custom_hooks=[dict(type='InpaintVisualizationHook', max_images=8)],
        )
    )


def test_flatten_keys_covers_dicts_and_lists(cfg):
    keys = set(flatten_keys(cfg))
    assert {'train_cfg.max_iters', 'model.generator.num_blocks.1'} <= keys
    assert 'custom_hooks.0.max_images' in keys


def test_keys_that_reach_the_runner_give_no_warning(cfg):
    options = {
        'train_cfg.max_iters': 2,
        'model.generator.num_blocks.1': 3,
        'custom_hooks.0.max_images': 2,
        'work_dir': 'w',  # read by the runner even when the file has none
    }
    assert unknown_cfg_keys(cfg, options) == []


def test_missing_and_variable_keys_warn_with_a_suggestion(cfg):
    lines = unknown_cfg_keys(cfg, {'maxiters': 2, 'model.generator.dimm': 3})
    assert len(lines) == 2
    assert "'maxiters' matches nothing" in lines[0]
    assert "did you mean 'train_cfg.max_iters'" in lines[0]
    assert "did you mean 'model.generator.dim'" in lines[1]
    # a top-level config variable is read only while the file is parsed
    (line,) = unknown_cfg_keys(cfg, {'max_iters': 2})
    assert "config variable 'max_iters'" in line
    assert "set 'train_cfg.max_iters' instead" in line


def test_warnings_are_printed_one_line_each(cfg):
    stream = io.StringIO()
    warn_unknown_cfg_keys(cfg, {'max_iters': 2, 'foo.bar': 1}, stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert all(line.startswith('warning: --cfg-options key ') for line in lines)


def test_suggestions_never_name_an_ancestor():
    known = ['model', 'model.generator', 'model.generator.dim']
    assert suggest_keys('model.generator.dimm', known) == ['model.generator.dim']


def test_suggestions_put_the_siblings_first():
    known = [
        'default_hooks.logger.interval',
        'default_hooks.checkpoint.interval',
        'train_cfg.val_interval',
    ]
    hints = suggest_keys('default_hooks.checkpoint.intervall', known)
    assert hints[0] == 'default_hooks.checkpoint.interval'
    assert set(hints) == set(known)


def _built_with(**kwargs):
    """Build a registered class the way a config does (MMEngine's registry call)."""
    from mmengine.registry import init_default_scope

    from inpaintzoo.registry import MODELS

    init_default_scope('inpaintzoo')
    return MODELS.build(dict(type='ChannelLayerNorm', **kwargs))


def test_config_keys_a_class_does_not_take_are_a_user_error(capsys):
    """A misspelt config key: one line naming the class and the key, exit 2."""
    with pytest.raises(TypeError) as err:
        _built_with(dim=4, biass=True)
    assert is_user_error(err.value)
    message = error_message(err.value)
    assert "unexpected keyword argument 'biass'" in message
    assert 'misspelt' in message
    with pytest.raises(TypeError) as missing:
        _built_with()  # dim is required
    assert is_user_error(missing.value)

    def main():
        _built_with(dim=4, biass=True)

    with pytest.raises(SystemExit) as stop:
        run_cli(main, argv=[])
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith('error: ChannelLayerNorm.__init__()')


def test_the_same_type_error_inside_the_code_is_a_bug():
    """Raised below MMEngine's call (in the built code): the traceback stays."""

    def inner(**kwargs):
        raise TypeError("f() got an unexpected keyword argument 'x'")

    with pytest.raises(TypeError) as err:
        inner()
    assert not is_user_error(err.value)
    assert not is_user_error(TypeError("f() got an unexpected keyword argument 'x'"))


def test_amp_optim_wrapper_on_a_cpu_machine_is_one_line(monkeypatch):
    import torch

    from inpaintzoo.apis.runner_setup import build_runner
    from inpaintzoo.utils.errors import ConfigError

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = Config(
        dict(
            optim_wrapper=dict(
                generator=dict(type='AmpOptimWrapper', optimizer=dict(type='Adam')),
                discriminator=dict(type='OptimWrapper', optimizer=dict(type='Adam')),
            )
        )
    )
    with pytest.raises(ConfigError, match=r"type='AmpOptimWrapper'.*needs a CUDA"):
        build_runner(cfg)


def test_arguments_of_the_receiving_class_are_not_unknown():
    """A key the file leaves at its default is still read by the class it reaches."""
    from inpaintzoo.apis.cfg_options import taken_by_component, unknown_cfg_keys

    cfg = Config(
        dict(
            model=dict(
                losses=dict(perceptual=dict(type='PerceptualLoss', loss_weight=0.1)),
                generator=dict(type='InpaintUNet', dim=8),
            )
        )
    )
    taken = 'model.losses.perceptual.feature_net.weights'
    assert taken_by_component(cfg, taken)
    assert taken_by_component(cfg, 'model.generator.with_cp')
    assert not taken_by_component(cfg, 'model.generator.dimm')
    assert not taken_by_component(cfg, 'model.losses.style.feature_net.weights')
    assert not taken_by_component(cfg, 'model.losses.perceptual.featur_net.weights')
    warned = unknown_cfg_keys(cfg, {taken: None, 'model.generator.dimm': 3})
    assert len(warned) == 1
    assert "'model.generator.dimm'" in warned[0]
