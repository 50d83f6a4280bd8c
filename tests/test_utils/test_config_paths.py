"""Config lookup in a checkout and in an installed package (``inpaintzoo/.mim``)."""

import shutil
from pathlib import Path

import pytest
from mmengine.config import Config

from inpaintzoo.apis.demo import DEMO_CONFIGS
from inpaintzoo.utils.config_paths import config_roots, resolve_config
from inpaintzoo.utils.errors import ConfigError, ConfigNotFoundError
from tests.conftest import REPO_ROOT

TINY = 'hint/hint-tiny_1xb4-300_demo-64x64.py'


@pytest.fixture(scope='module')
def installed_package(tmp_path_factory) -> Path:
    """A fake ``site-packages/inpaintzoo`` as a wheel installs it (no checkout)."""
    pkg = tmp_path_factory.mktemp('site-packages') / 'inpaintzoo'
    shutil.copytree(REPO_ROOT / 'configs', pkg / '.mim' / 'configs')
    return pkg


def test_checkout_configs_by_repo_path_and_by_name(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # repo-relative paths need not exist from here
    expected = REPO_ROOT / 'configs' / TINY
    assert resolve_config(TINY) == expected
    assert resolve_config(f'configs/{TINY}') == expected
    assert resolve_config(expected) == expected
    assert config_roots()[0] == REPO_ROOT / 'configs'


def test_installed_package_resolves_from_mim(
    installed_package: Path, monkeypatch, tmp_path
) -> None:
    monkeypatch.chdir(tmp_path)  # not from a checkout
    assert config_roots(installed_package) == [installed_package / '.mim/configs']
    for name in [*DEMO_CONFIGS.values(), '_base_/models/mxt.py', f'configs/{TINY}']:
        path = resolve_config(name, installed_package)
        assert path.is_relative_to(installed_package / '.mim' / 'configs')
    # relative _base_ inheritance works inside the packaged tree
    cfg = Config.fromfile(
        str(resolve_config(DEMO_CONFIGS['sem_net'], installed_package))
    )
    assert cfg.model.generator.block.attn.type == 'MambaMixer'
    assert cfg.model.generator.dim == 16


def test_checkout_wins_over_a_stale_mim_copy(tmp_path: Path) -> None:
    checkout = tmp_path / 'repo'
    pkg = checkout / 'inpaintzoo'
    (checkout / 'configs' / 'hint').mkdir(parents=True)
    (pkg / '.mim' / 'configs' / 'hint').mkdir(parents=True)
    (checkout / 'setup.py').write_text('')
    (checkout / 'configs' / 'hint' / 'a.py').write_text('x = 1\n')
    (pkg / '.mim' / 'configs' / 'hint' / 'a.py').write_text('x = 0\n')
    (pkg / '.mim' / 'configs' / 'hint' / 'b.py').write_text('x = 2\n')
    assert resolve_config('hint/a.py', pkg) == checkout / 'configs/hint/a.py'
    assert resolve_config('hint/b.py', pkg) == pkg / '.mim/configs/hint/b.py'


def test_missing_config_names_where_it_looked(installed_package: Path) -> None:
    with pytest.raises(ConfigNotFoundError, match=r"'hint/nope\.py' not found") as err:
        resolve_config('hint/nope.py', installed_package)
    assert str(installed_package / '.mim' / 'configs') in str(err.value)
    assert isinstance(err.value, ConfigError)
    assert isinstance(err.value, FileNotFoundError)
    empty = installed_package.parent / 'other' / 'inpaintzoo'
    with pytest.raises(ConfigNotFoundError, match='no configs folder found'):
        resolve_config(TINY, empty)
