"""The model zoo: look models up by name and download ready-to-load weights.

>>> from inpaintzoo.hub import list_models, get_model_info, download
>>> [m.name for m in list_models()][:2]         # doctest: +SKIP
['hint_celeba-hq', 'hint_celeba']
>>> path = download('hint_celeba-hq')           # doctest: +SKIP

Models are described by the metafiles under ``model_zoo/`` (``docs/model_zoo.md``);
weights are cached in ``$INPAINTZOO_HOME`` (default ``~/.cache/inpaintzoo``).
"""

from inpaintzoo.hub.cache import HOME_ENV, OFFLINE_ENV, cache_root, is_offline
from inpaintzoo.hub.download import download
from inpaintzoo.hub.model_index import EXTRA_INDEX_ENV, get_model_info, list_models
from inpaintzoo.hub.zoo_model import WeightSource, ZooModel

__all__ = [
    'EXTRA_INDEX_ENV',
    'HOME_ENV',
    'OFFLINE_ENV',
    'WeightSource',
    'ZooModel',
    'cache_root',
    'download',
    'get_model_info',
    'is_offline',
    'list_models',
]
