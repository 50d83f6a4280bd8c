"""One registered converter class per official architecture, and the lookups.

An :class:`OfficialConverter` subclass (``converters/hint.py``, ``mxt.py``,
``sem_net.py``, ``discriminator.py``) is registered in
:data:`inpaintzoo.registry.CONVERTERS` under its arch name and holds everything
about that official architecture:

* the key tables official -> inpaintzoo (:attr:`OfficialConverter.keys`),
* the key signature used to recognise its checkpoints (:func:`guess_arch`),
* the official constructor kwargs read off a state dict (:meth:`infer_kwargs`),
* the inpaintzoo model config equal to the official ``Model(**kwargs)``
  (:meth:`build_config`): the architecture comes from
  ``configs/_base_/models/<arch>.py`` (read from the checkout or the packaged
  configs), and only the official constructor kwargs (widths, depths, heads,
  bias flags) are overlaid, so the config files are the single definition.
"""

import copy
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any, ClassVar

import torch
from mmengine.config import Config

from inpaintzoo.models.converters.key_mapping import (
    FOREIGN_SIGNATURES,
    KeyConverter,
    signature_matches,
    summarize_keys,
)
from inpaintzoo.registry import CONVERTERS
from inpaintzoo.utils.config_paths import package_config
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError


@lru_cache(maxsize=8)
def _model_section(config_name: str) -> dict:
    cfg = Config.fromfile(str(package_config(config_name)))
    return cfg.model.to_dict()


def base_model_config(config_name: str, key: str) -> dict:
    """``model[key]`` of a model config file, as a fresh plain dict.

    Args:
        config_name (str): name under ``configs/`` (``'_base_/models/hint.py'``).
        key (str): ``'generator'`` or ``'discriminator'``.

    Raises:
        ConfigError: the file has no ``model.<key>``.
    """
    model = _model_section(config_name)
    if key not in model:
        raise ConfigError(f'config {config_name!r} has no model.{key}')
    return copy.deepcopy(model[key])


def set_config_path(config: dict, path: str, value: Any) -> None:
    """Set ``config['a']['b']['c'] = value`` for ``path='a.b.c'``.

    Every parent must already exist, so an override can never invent a module
    the base config does not define.

    Raises:
        ConfigError: a parent of ``path`` is missing or not a dict.
    """
    *parents, leaf = path.split('.')
    node = config
    for i, name in enumerate(parents):
        node = node.get(name) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            where = '.'.join(parents[: i + 1])
            raise ConfigError(
                f'cannot set {path!r}: the base config has no dict at {where!r} '
                f'(config type {config.get("type")!r}); update the converter or the '
                'base config so they describe the same architecture'
            )
    node[leaf] = value


class OfficialConverter:
    """Everything about one official architecture (see the module docstring).

    Subclasses set the class attributes and implement :meth:`build_key_converter`,
    :meth:`config_overrides` and :meth:`infer_kwargs`.
    """

    #: registered name (``'hint'``)
    arch: ClassVar[str] = ''
    #: official class name, for messages (``'HINT'``)
    official_name: ClassVar[str] = ''
    #: entry of the state dict in official checkpoint files
    checkpoint_key: ClassVar[str] = 'generator'
    #: regexes that all occur in the keys of this arch's checkpoints
    signature: ClassVar[tuple[str, ...]] = ()
    #: signatures are tried in increasing priority (specific ones first)
    detect_priority: ClassVar[int] = 50
    #: model config file under ``configs/`` that defines the architecture
    base_config: ClassVar[str] = ''
    #: the model's entry in that file's ``model`` dict
    config_key: ClassVar[str] = 'generator'
    #: the official constructor's defaults
    official_defaults: ClassVar[dict] = {}
    #: official kwargs without a default
    required_kwargs: ClassVar[tuple[str, ...]] = ()
    #: converter of the discriminator trained with this generator ('' for a
    #: discriminator converter itself)
    discriminator_arch: ClassVar[str] = 'discriminator'

    @property
    def is_discriminator(self) -> bool:
        """Whether this converter converts a discriminator (not a generator)."""
        return self.config_key == 'discriminator'

    def __init__(self) -> None:
        self.keys = self.build_key_converter()

    def build_key_converter(self) -> KeyConverter:
        """The key tables official -> inpaintzoo of this arch."""
        raise NotImplementedError

    def config_overrides(self, kwargs: dict) -> dict[str, Any]:
        """Dotted config path -> value for merged official kwargs."""
        raise NotImplementedError

    def infer_kwargs(self, state_dict: Mapping[str, torch.Tensor]) -> dict:
        """Official constructor kwargs read off an official state dict."""
        raise NotImplementedError

    def merge_kwargs(self, kwargs: Mapping) -> dict:
        """Official kwargs with the official defaults filled in.

        Raises:
            ConfigError: unknown or missing kwargs.
        """
        known = set(self.official_defaults) | set(self.required_kwargs)
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise ConfigError(
                f'unknown official {self.official_name} kwargs {unknown}; '
                f'known: {sorted(known)}'
            )
        missing = [k for k in self.required_kwargs if k not in kwargs]
        if missing:
            raise ConfigError(
                f'official {self.official_name} constructor kwargs lack {missing}'
            )
        return {**copy.deepcopy(self.official_defaults), **kwargs}

    def build_config(self, kwargs: Mapping) -> dict:
        """Model config computing the same function as official ``Model(**kwargs)``.

        Args:
            kwargs (Mapping): official constructor kwargs (missing ones take the
                official defaults), e.g. a fixture's ``constructor_kwargs`` or
                :meth:`infer_kwargs` of a checkpoint.

        Returns:
            dict: ``model.<config_key>`` of :attr:`base_config` with the kwargs
            overlaid; ``MODELS.build`` builds it.
        """
        config = base_model_config(self.base_config, self.config_key)
        for path, value in self.config_overrides(self.merge_kwargs(kwargs)).items():
            set_config_path(config, path, value)
        return config


# ---------------------------------------------------------------- lookups


def list_archs() -> list[str]:
    """Names of all registered official converters, sorted."""
    CONVERTERS.import_from_location()
    return sorted(CONVERTERS.module_dict)


def generator_archs() -> list[str]:
    """Names of the generator converters (``hint``, ``mxt``, ``nclg``, ...), sorted.

    Each one's discriminator is converted by the converter named in its
    :attr:`OfficialConverter.discriminator_arch`.
    """
    return [a for a in list_archs() if not get_official_converter(a).is_discriminator]


@cache
def get_official_converter(arch: str) -> OfficialConverter:
    """The (cached) converter instance registered as ``arch``.

    Raises:
        ConfigError: no converter of that name (lists the known ones).
    """
    cls = CONVERTERS.get(arch) if isinstance(arch, str) else None
    if cls is None:
        raise ConfigError(
            f'no official converter for arch {arch!r}; known: {list_archs()}'
        )
    return cls()


def get_converter(arch: str) -> KeyConverter:
    """Key tables of ``arch`` (see :func:`get_official_converter`)."""
    return get_official_converter(arch).keys


def official_kwargs_to_config(arch: str, kwargs: Mapping) -> dict:
    """Model config equal to the official ``arch`` built with ``kwargs``."""
    return get_official_converter(arch).build_config(dict(kwargs))


def infer_official_kwargs(arch: str, state_dict: Mapping) -> dict:
    """Official constructor kwargs of ``arch`` read off a state dict's shapes."""
    return get_official_converter(arch).infer_kwargs(state_dict)


def guess_arch(keys: list[str]) -> str | None:
    """Likely architecture of a state dict from characteristic key names."""
    list_archs()
    candidates = [
        (cls.detect_priority, name, cls.signature)
        for name, cls in CONVERTERS.module_dict.items()
    ] + FOREIGN_SIGNATURES
    for _, arch, signature in sorted(candidates, key=lambda c: (c[0], c[1])):
        if signature_matches(signature, keys):
            return arch
    return None


def mismatch_error(arch: str, keys: list[str], problem: str) -> CheckpointMismatchError:
    """Error naming the problem and, if it differs, the checkpoint's likely arch."""
    guess = guess_arch(keys)
    if guess is not None and guess != arch:
        advice = _advice(arch, guess)
        problem = (
            f'this looks like a {guess!r} checkpoint, not {arch!r} ({advice}). '
            f'{problem}'
        )
    return CheckpointMismatchError(problem)


def _advice(arch: str, guess: str) -> str:
    """How to convert a checkpoint of ``guess`` that was given as ``arch``."""
    if guess not in CONVERTERS.module_dict:
        return 'inpaintzoo has no converter for it'
    kinds = [get_official_converter(a).is_discriminator for a in (arch, guess)]
    if kinds[0] == kinds[1]:
        return f'convert it with arch={guess!r}'
    if kinds[1]:
        return 'a discriminator: give it as the discriminator file (--dis)'
    return 'a generator: give it as the generator file, not as the discriminator'


#: key prefixes of an inpaintzoo (MMEngine) checkpoint's ``state_dict``
INPAINTZOO_PREFIXES = ('generator.', 'discriminator.')


def is_inpaintzoo_state_dict(keys: list[str]) -> bool:
    """Whether every key has an inpaintzoo model prefix (``generator.*``, ...)."""
    return bool(keys) and all(k.startswith(INPAINTZOO_PREFIXES) for k in keys)


def unwrap_checkpoint(checkpoint: Mapping, arch: str) -> dict[str, torch.Tensor]:
    """Official state dict from a raw state dict or an official checkpoint file dict.

    Accepts ``{'iteration', 'generator'}`` / ``{'discriminator'}`` file dicts,
    ``{'state_dict': ...}`` and bare state dicts; strips a ``module.`` prefix.
    """
    conv = get_official_converter(arch)
    if not isinstance(checkpoint, Mapping):
        raise CheckpointMismatchError(
            f'expected a state dict or checkpoint dict, got {type(checkpoint).__name__}'
        )
    sd = checkpoint
    if conv.checkpoint_key in sd and isinstance(sd[conv.checkpoint_key], Mapping):
        sd = sd[conv.checkpoint_key]
    elif 'state_dict' in sd and isinstance(sd['state_dict'], Mapping):
        sd = sd['state_dict']
    else:
        others = [k for k in ('generator', 'discriminator') if k in sd]
        if others:
            raise CheckpointMismatchError(
                f'{arch!r} needs the {conv.checkpoint_key!r} entry of an official '
                f'checkpoint, but this file holds {others}'
            )
    if is_inpaintzoo_state_dict([re.sub(r'^module\.', '', k) for k in sd]):
        raise CheckpointMismatchError(
            'this is already an inpaintzoo checkpoint (its keys start with '
            "'generator.' / 'discriminator.'), not an official one: nothing to "
            'convert; load it with tools/test.py or inpaintzoo.apis.init_model'
        )
    bad = [k for k, v in sd.items() if not torch.is_tensor(v)]
    if bad:
        raise CheckpointMismatchError(
            f'non-tensor entries in state dict: {summarize_keys(bad)}'
        )
    return {re.sub(r'^module\.', '', k): v for k, v in sd.items()}
