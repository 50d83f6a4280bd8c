"""What a wheel / sdist carries, and requirement files that agree with each other.

The fast tests read ``setup.py``, ``MANIFEST.in`` and ``requirements/``; the slow
one builds a wheel from a copy of the working tree (never into it) and lists it.
"""

import ast
import glob
import hashlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO_ROOT

#: sha256 of the Apache License 2.0 text as apache.org publishes it (LICENSE-2.0.txt)
APACHE_2_SHA256 = 'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30'
#: what the wheel build copies besides the package (never the venv, data, runs)
NOT_COPIED = (
    '.git', '.venv', 'work_dirs', 'data', 'build', 'dist', '.device',
    '*.egg-info', '__pycache__', '.pytest_cache', '.ruff_cache',
)  # fmt: skip


def _requirements(name: str) -> dict[str, str]:
    """``{normalised distribution name: requirement line}`` of a requirements file."""
    found = {}
    for line in (REPO_ROOT / 'requirements' / f'{name}.txt').read_text().splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            dist = re.split(r'[<>=!~;\[ ]', line, maxsplit=1)[0]
            found[re.sub(r'[-_.]+', '-', dist).lower()] = line
    return found


def _mim_folders() -> tuple[str, ...]:
    """``MIM_FOLDERS`` of setup.py, read without running it."""
    tree = ast.parse((REPO_ROOT / 'setup.py').read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == 'MIM_FOLDERS':
            return ast.literal_eval(node.value)
    raise AssertionError('setup.py defines no MIM_FOLDERS')


def test_licence_is_the_full_apache_2_text_and_is_shipped():
    text = (REPO_ROOT / 'LICENSE').read_bytes()
    assert hashlib.sha256(text).hexdigest() == APACHE_2_SHA256
    assert 'include LICENSE' in (REPO_ROOT / 'MANIFEST.in').read_text().splitlines()
    assert "license_files=['LICENSE']" in (REPO_ROOT / 'setup.py').read_text()


def test_every_manifest_pattern_matches_a_file():
    """setup.py sdist warns about a pattern that matches nothing; none may."""
    for line in (REPO_ROOT / 'MANIFEST.in').read_text().splitlines():
        words = line.split('#', 1)[0].split()
        if not words:
            continue
        command, args = words[0], words[1:]
        if command == 'include':
            for pattern in args:
                assert glob.glob(str(REPO_ROOT / pattern)), line
        else:
            assert command == 'recursive-include', line
            folder, patterns = REPO_ROOT / args[0], args[1:]
            for pattern in patterns:
                assert next(folder.rglob(pattern), None) is not None, (line, pattern)


def test_mim_folders_ship_tools_and_are_in_the_sdist():
    """A wheel built from the sdist needs the same folders in the sdist."""
    folders = _mim_folders()
    assert {'configs', 'model_zoo', 'tools'} <= set(folders)
    manifest = (REPO_ROOT / 'MANIFEST.in').read_text()
    for name in folders:
        assert f'recursive-include {name} ' in manifest, name


def test_one_opencv_distribution_the_one_mmengine_requires():
    """Two cv2 distributions overwrite each other's files: we require mmengine's."""
    ours = [d for d in _requirements('runtime') if d.startswith('opencv')]
    for dependency in ('mmengine', 'mmcv-lite'):
        requires = importlib.metadata.requires(dependency) or []
        theirs = {re.split(r'[<>=!~; ]', r, maxsplit=1)[0] for r in requires}
        assert set(ours) <= theirs, (dependency, ours, theirs)
    assert ours == ['opencv-python']
    pins = _requirements('constraints')
    assert 'opencv-python-headless' not in pins
    assert pins['opencv-python'].startswith('opencv-python==')


def test_playwright_is_a_test_dependency_not_part_of_the_web_extra():
    assert 'playwright' not in _requirements('web')
    assert 'playwright' in _requirements('dev')
    sources = '\n'.join(p.read_text() for p in (REPO_ROOT / 'inpaintzoo').rglob('*.py'))
    assert 'playwright' not in sources
    extras = re.search(r'^EXTRAS \?= (\S+)', (REPO_ROOT / 'Makefile').read_text(), re.M)
    assert 'dev' in extras.group(1).split(',')  # make install still brings it


def test_what_make_install_installs_is_pinned():
    """Runtime requirements and the extras of `make install` all have a pin."""
    pins = _requirements('constraints')
    for name in ('runtime', 'dev', 'face', 'web'):
        for dist in _requirements(name):
            assert dist in pins, f'{dist} of requirements/{name}.txt is not pinned'


@pytest.mark.slow
def test_wheel_carries_tools_configs_and_the_licence(tmp_path):
    """A wheel built from a copy of the working tree: what `pip install` gets."""
    src = tmp_path / 'src'
    shutil.copytree(REPO_ROOT, src, ignore=shutil.ignore_patterns(*NOT_COPIED))
    subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation',
         '--quiet', '-w', str(tmp_path / 'dist'), str(src)],
        check=True, timeout=600, capture_output=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / 'dist').glob('inpaintzoo-*.whl')
    names = set(zipfile.ZipFile(wheel).namelist())
    mim = 'inpaintzoo/.mim/'
    tools = {n[len(mim) :] for n in names if n.startswith(f'{mim}tools/')}
    expected = {
        p.relative_to(REPO_ROOT).as_posix()
        for p in (REPO_ROOT / 'tools').rglob('*')
        if p.is_file() and '__pycache__' not in p.parts
    }
    assert tools == expected
    assert f'{mim}tools/model_converters/official_to_inpaintzoo.py' in names
    assert f'{mim}configs/hint/hint-tiny_1xb4-300_demo-64x64.py' in names
    assert f'{mim}model-index.yml' in names
    (licence,) = [n for n in names if n.endswith('.dist-info/licenses/LICENSE')]
    assert hashlib.sha256(zipfile.ZipFile(wheel).read(licence)).hexdigest() == (
        APACHE_2_SHA256
    )
    assert not [n for n in names if n.startswith('tests/') or '__pycache__' in n]
