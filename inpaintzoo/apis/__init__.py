"""High-level APIs: use a model, and the helpers behind ``tools/``.

:func:`init_model` and :func:`inpaint` use a model (:mod:`.inference`).

The inference names are imported lazily, so ``import inpaintzoo.apis.cli`` (every
tool) does not build the model registry.
"""

from typing import Any

__all__ = ['InpaintResult', 'init_model', 'inpaint', 'restore']

_LAZY = {
    'InpaintResult': 'inpaintzoo.apis.inference',
    'init_model': 'inpaintzoo.apis.inference',
    'inpaint': 'inpaintzoo.apis.inference',
    'restore': 'inpaintzoo.apis.restoration',
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
