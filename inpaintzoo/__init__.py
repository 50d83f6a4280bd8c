"""inpaintzoo: an OpenMMLab/MMEngine-style model zoo for deep image inpainting."""

from inpaintzoo import engine  # noqa: F401  (registers the safe checkpoint loaders)
from inpaintzoo.version import __version__

__all__ = ['__version__']
