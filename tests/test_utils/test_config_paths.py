"""Config lookup in a checkout and in an installed package (``inpaintzoo/.mim``)."""

import shutil
from pathlib import Path

import pytest
from mmengine.config import Config

from inpaintzoo.apis.demo import DEMO_CONFIGS
from inpaintzoo.utils.config_paths import config_roots, package_config, resolve_config
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


def _planted_configs(folder: Path, names: list[str]) -> Path:
    """Same-named configs in ``folder`` whose Python would leave a marker file."""
    marker = folder / 'CONFIG_CODE_RAN'
    for name in names:
        path = folder / 'configs' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'import pathlib\npathlib.Path({str(marker)!r}).touch()\n')
    return marker


def test_package_config_never_reads_the_working_directory(monkeypatch, tmp_path):
    """Names inpaintzoo supplies (zoo, demo) must not run a same-named local file."""
    from inpaintzoo.apis.inference import resolve_model_config
    from inpaintzoo.hub import get_model_info

    monkeypatch.delenv('INPAINTZOO_MODEL_INDEX', raising=False)
    zoo = get_model_info('hint_celeba-hq')
    marker = _planted_configs(tmp_path, [zoo.config.removeprefix('configs/'), TINY])
    monkeypatch.chdir(tmp_path)
    assert package_config(f'configs/{TINY}') == REPO_ROOT / 'configs' / TINY
    assert zoo.config_path() == REPO_ROOT / zoo.config
    cfg, name = resolve_model_config('hint_celeba-hq')  # reads the config
    assert name == 'hint_celeba-hq'
    assert cfg.model.generator.dim == 48
    assert not marker.exists()
    # a path the user names is still the user's file
    assert resolve_config(f'configs/{TINY}') == Path(f'configs/{TINY}')
    with pytest.raises(ConfigNotFoundError):
        package_config('hint/only_here.py')
    assert package_config(REPO_ROOT / 'configs' / TINY) == REPO_ROOT / 'configs' / TINY


def test_private_zoo_configs_come_from_its_own_folder(monkeypatch, tmp_path):
    """A private index's relative Config is read beside its index, not from cwd."""
    import yaml

    from inpaintzoo.hub import get_model_info

    zoo = tmp_path / 'zoo'
    (zoo / 'mine').mkdir(parents=True)
    (zoo / 'mine' / 'net.py').write_text(
        f'_base_ = {str(REPO_ROOT / "configs" / TINY)!r}\n'
    )
    entry = {
        'Name': 'net',
        'Alias': 'my_net',
        'Config': 'mine/net.py',
        'Metadata': {'Architecture': 'hint'},
    }
    (zoo / 'metafile.yml').write_text(yaml.safe_dump({'Models': [entry]}))
    (zoo / 'model-index.yml').write_text(yaml.safe_dump({'Import': ['metafile.yml']}))
    monkeypatch.setenv('INPAINTZOO_MODEL_INDEX', str(zoo / 'model-index.yml'))
    work = tmp_path / 'work'
    marker = _planted_configs(work, [])
    (work / 'mine').mkdir(parents=True)
    (work / 'mine' / 'net.py').write_text(
        f'import pathlib\npathlib.Path({str(marker)!r}).touch()\n'
    )
    monkeypatch.chdir(work)
    info = get_model_info('my_net')
    assert info.config_path() == zoo / 'mine' / 'net.py'
    assert Config.fromfile(str(info.config_path())).model.generator.dim == 16
    assert not marker.exists()
    (zoo / 'mine' / 'net.py').unlink()
    with pytest.raises(ConfigNotFoundError, match=r"'my_net'.*mine/net\.py"):
        info.config_path()


def test_tool_path_names_the_copy_that_exists(tmp_path: Path, monkeypatch) -> None:
    """Messages name tools/ of a checkout, else the wheel's .mim copy, else a clone."""
    from inpaintzoo.utils.tool_paths import find_tool, tool_path

    monkeypatch.chdir(REPO_ROOT)  # the checkout: the path a user types there
    assert tool_path('inpaint_face.py') == 'tools/inpaint_face.py'
    monkeypatch.chdir(tmp_path)
    assert tool_path('test.py') == str(REPO_ROOT / 'tools' / 'test.py')
    pkg = tmp_path / 'site-packages' / 'inpaintzoo'  # a wheel: no setup.py above
    (pkg / '.mim' / 'tools').mkdir(parents=True)
    (pkg / '.mim' / 'tools' / 'inpaint_face.py').write_text('')
    (tmp_path / 'site-packages' / 'tools').mkdir()  # not a checkout: ignored
    (tmp_path / 'site-packages' / 'tools' / 'test.py').write_text('')
    installed = pkg / '.mim' / 'tools' / 'inpaint_face.py'
    monkeypatch.chdir(tmp_path / 'site-packages')
    assert find_tool('inpaint_face.py', pkg) == 'inpaintzoo/.mim/tools/inpaint_face.py'
    monkeypatch.chdir(REPO_ROOT)
    assert find_tool('inpaint_face.py', pkg) == str(installed)
    assert find_tool('test.py', pkg) is None
    assert tool_path('test.py', pkg) == 'tools/test.py (in a clone of the repository)'
