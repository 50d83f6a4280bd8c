"""Packaging for inpaintzoo (metadata only; no build-time torch import)."""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent


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
    package_data={'inpaintzoo.models.ssm': ['csrc/*.c']},
    install_requires=read_requirements('runtime'),
    extras_require={
        'mamba': read_requirements('mamba'),
        'face': read_requirements('face'),
        'dev': read_requirements('dev'),
    },
    license='Apache-2.0',
)
