"""inpaintzoo: an OpenMMLab/MMEngine-style model zoo for deep image inpainting."""

from inpaintzoo import engine  # noqa: F401  (registers runner, hooks, optimizers)
from inpaintzoo.version import __version__

__all__ = ['__version__']
