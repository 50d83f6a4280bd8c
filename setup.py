"""Packaging for inpaintzoo (metadata only; no build-time torch import).

Configs, model-zoo metafiles and the ``tools/`` scripts ship inside the package the
OpenMMLab way: ``build_py`` copies ``configs/``, ``model_zoo/`` and ``tools/`` to
``inpaintzoo/.mim/`` in the build folder (never into the source tree), so a wheel
carries them: :func:`inpaintzoo.utils.config_paths.resolve_config` finds the
configs once installed, and the scripts run from
``site-packages/inpaintzoo/.mim/tools``. Editable installs use the checkout's
folders directly. The licence text (``LICENSE``) goes into the wheel's
``.dist-info`` and the sdist (``license_files``, ``MANIFEST.in``).

README.md, the PyPI description, keeps its relative links: the project declares
no repository URL (no ``url`` / ``project_urls``) to make them absolute with.
"""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
#: repository folders shipped as ``inpaintzoo/.mim/<name>`` (as mmdet ships
#: ``tools`` and ``configs``); MANIFEST.in puts the same folders in the sdist
MIM_FOLDERS = ('configs', 'model_zoo', 'tools')


class BuildPyWithMim(build_py):
    """``build_py`` that also copies :data:`MIM_FOLDERS` into ``inpaintzoo/.mim``."""

    def run(self) -> None:
        """Build the Python packages, then add the ``.mim`` data (not when editable)."""
        super().run()
        if getattr(self, 'editable_mode', False):
            return  # the checkout's configs/ are used in place
        mim = Path(self.build_lib) / 'inpaintzoo' / '.mim'
        for name in MIM_FOLDERS:
            src, dst = ROOT / name, mim / name
            if src.is_dir():
                if dst.exists():
                    shutil.rmtree(dst)
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        index = ROOT / 'model_zoo' / 'model-index.yml'
        if index.is_file():  # mim reads .mim/model-index.yml (paths from the root)
            shutil.copy2(index, mim / 'model-index.yml')


def read_requirements(name: str) -> list[str]:
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    lines = (ROOT / 'requirements' / f'{name}.txt').read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith('#')]


def read_version() -> str:
    """``__version__`` from ``inpaintzoo/version.py`` without importing the package."""
    namespace: dict = {}
    exec((ROOT / 'inpaintzoo' / 'version.py').read_text(), namespace)
    return namespace['__version__']


setup(
    name='inpaintzoo',
    version=read_version(),
    description=(
        'OpenMMLab-style model zoo for deep image inpainting '
        '(HINT, MxT, SEM-Net, NCLG-MT)'
    ),
    long_description=(ROOT / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    python_requires='>=3.10',
    packages=find_packages(include=['inpaintzoo', 'inpaintzoo.*']),
    # C source of the fused CPU selective scan, compiled on first use
    package_data={'inpaintzoo.models.ssm': ['csrc/*.c', 'csrc/*.h']},
    install_requires=read_requirements('runtime'),
    extras_require={
        'mamba': read_requirements('mamba'),
        'face': read_requirements('face'),
        'fan': read_requirements('fan'),
        'dev': read_requirements('dev'),
        'hub': read_requirements('hub'),
        'web': read_requirements('web'),
    },
    license='Apache-2.0',
    license_files=['LICENSE'],
    cmdclass={'build_py': BuildPyWithMim},
    # `inpaintzoo list | download | inpaint`: a thin layer over inpaintzoo.apis
    entry_points={'console_scripts': ['inpaintzoo = inpaintzoo.cli.main:main']},
)
