"""One-line errors for mistakes made while extending the zoo from one's own package.

A misspelt ``custom_imports`` module, an unknown keyword forwarded through a
``super().__init__(**kwargs)`` chain, a misspelt ``type=`` (with suggestions) and a
``default_scope`` whose registries cannot see inpaintzoo's classes.
"""

import sys
from pathlib import Path

import pytest
from mmengine.registry import HOOKS as ROOT_HOOKS
from mmengine.registry import DefaultScope, Registry
from torch import nn

from inpaintzoo.apis.cli import config_call_error, error_message, is_user_error
from inpaintzoo.apis.registry_errors import registry_miss_message
from inpaintzoo.registry import HOOKS, MODELS
from tests.test_tools.test_tool_errors import assert_one_line_error
from tests.tiny_config import REPO

HINT_TINY = REPO / 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'


def _config(tmp_path: Path, body: str) -> str:
    path = tmp_path / 'cfg.py'
    path.write_text(f'_base_ = {str(HINT_TINY)!r}\n{body}\n')
    return str(path)


def test_custom_imports_typo_is_one_line(run_tool, tmp_path):
    cfg = _config(tmp_path, "custom_imports = dict(imports=['my_exx_typo'])")
    line = assert_one_line_error(run_tool('tools/train.py', cfg))
    assert line == (
        "error: custom_imports: no module named 'my_exx_typo' (is its folder on "
        'PYTHONPATH? or is the name misspelt?)'
    )


def test_custom_imports_broken_dependency_names_it(run_tool, tmp_path, monkeypatch):
    pkg = tmp_path / 'my_broken_ext'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('import not_installed_dependency_xyz\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, 'my_broken_ext', raising=False)
    cfg = _config(tmp_path, "custom_imports = dict(imports=['my_broken_ext'])")
    line = assert_one_line_error(run_tool('tools/train.py', cfg))
    assert "importing 'my_broken_ext' failed: ModuleNotFoundError" in line
    assert 'not_installed_dependency_xyz' in line
    assert str(pkg / '__init__.py') in line


class _Base(nn.Module):
    """(N, C, H, W) -> (N, C, H, W); takes ``dim`` only."""

    def __init__(self, dim: int = 4) -> None:
        super().__init__()
        self.dim = dim


class _Middle(_Base):
    def __init__(self, *args, scale: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale


class _Leaf(_Middle):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class _NoInit(nn.Module):
    """No ``__init__`` of its own: ``nn.Module.__init__`` refuses keywords."""


class _Buggy(nn.Module):
    """A bug inside ``__init__``: a wrong keyword to another class."""

    def __init__(self, dim: int = 4) -> None:
        super().__init__()
        self.conv = nn.Conv2d(dim, dim, kernal_size=3)


@pytest.fixture
def registry() -> Registry:
    reg = Registry('extension test', scope='extension_test')
    for cls in (_Leaf, _NoInit, _Buggy):
        reg.register_module(module=cls)
    return reg


def _raised(registry: Registry, cfg: dict) -> BaseException:
    with pytest.raises(TypeError) as info:
        registry.build(cfg)
    return info.value


@pytest.mark.parametrize(
    ('cfg', 'callee'),
    [
        (dict(type='_Leaf', dimm=8), '_Base.__init__()'),
        (dict(type='_NoInit', directon=2), '_NoInit.__init__()'),
    ],
)
def test_unknown_key_through_a_super_chain_is_a_config_error(registry, cfg, callee):
    exc = _raised(registry, cfg)
    assert config_call_error(exc)
    assert is_user_error(exc)
    msg = error_message(exc)
    assert msg.startswith(f'{callee} got an unexpected keyword argument')
    assert 'built from the config' in msg


def test_bug_inside_init_keeps_its_traceback(registry):
    exc = _raised(registry, dict(type='_Buggy'))
    assert 'kernal_size' in str(exc)
    assert not config_call_error(exc)


def test_misspelt_type_suggests_the_closest_names():
    with pytest.raises(KeyError) as info:
        MODELS.build(dict(type='SandwichBlok', dim=4, num_heads=1))
    msg = error_message(info.value)
    assert msg.startswith('SandwichBlok is not in the inpaintzoo model registry (')
    assert "did you mean 'SandwichBlock'" in msg
    assert 'Please check' not in msg


def test_no_close_name_points_to_custom_imports():
    msg = registry_miss_message(
        'Zzzqqq is not in the inpaintzoo::model registry. Please check ...'
    )
    assert 'did you mean' not in msg
    assert 'custom_imports' in msg


def test_scope_without_inpaintzoo_registries_names_the_real_cause():
    HOOKS.import_from_location()
    with DefaultScope.overwrite_default_scope('noregs'):  # restored on exit
        with pytest.raises(KeyError) as info:
            ROOT_HOOKS.build(dict(type='AtomicCheckpointHook'))
        msg = error_message(info.value)
    assert msg.startswith('AtomicCheckpointHook is not in the mmengine hook registry')
    assert "inpaintzoo's hook registry has it" in msg
    assert "default_scope='noregs'" in msg
    assert "Keep default_scope='inpaintzoo'" in msg


def test_child_scope_message_for_a_model():
    msg = registry_miss_message(
        'GANInpaintor is not in the myproj::model registry. Please check ...'
    )
    assert msg.startswith('GANInpaintor is not in the myproj model registry, but ')
    assert "type='myproj.MyClass'" in msg
