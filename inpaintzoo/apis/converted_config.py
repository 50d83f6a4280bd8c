"""The inpaintzoo config that matches a converted official checkpoint.

``tools/model_converters/official_to_inpaintzoo.py`` reads the generator's width
and depth off the official file; this module turns them into a config that
inherits the architecture's paper config (data, schedule, losses) and replaces
its generator, so ``init_model(config, checkpoint)`` and ``tools/test.py`` load
the converted file without guessing.
"""

import re
from collections.abc import Mapping
from pathlib import Path

from mmengine.config import Config

from inpaintzoo.models.converters.base import get_official_converter
from inpaintzoo.utils.config_paths import package_config
from inpaintzoo.utils.errors import ConfigError

#: paper config (name under ``configs/``) each converted architecture inherits
PAPER_CONFIGS = {
    'hint': 'hint/hint_1xb4-300k_celeba-hq-256x256.py',
    'mxt': 'mxt/mxt_celebahq.py',
    'sem_net': 'sem_net/sem_celebahq.py',
    'nclg': 'nclg/nclg_1xb1-130k_celeba-256x256.py',
}


def has_matching_config(arch: str) -> bool:
    """Whether a paper config exists that a converted ``arch`` file can inherit."""
    return arch in PAPER_CONFIGS


def matching_generator_config(arch: str, official_kwargs: Mapping) -> dict:
    """``model.generator`` config of ``arch`` built from the official kwargs."""
    return dict(get_official_converter(arch).build_config(official_kwargs))


def matching_config_text(
    arch: str,
    official_kwargs: Mapping,
    checkpoint: str,
    discriminator: tuple[str, Mapping] | None = None,
) -> str:
    """Python source of a config for a checkpoint converted from ``arch``.

    Args:
        arch (str): ``'hint'``, ``'mxt'``, ``'sem_net'`` or ``'nclg'``.
        official_kwargs (Mapping): the official constructor kwargs read off the
            checkpoint (``meta['official_kwargs']`` of the converted file).
        checkpoint (str): the converted file, named in the header comment.
        discriminator (tuple[str, Mapping], optional): ``(discriminator arch,
            its official kwargs)`` when the file holds a discriminator too
            (``meta['discriminator_arch']``, ``meta['discriminator_kwargs']``);
            ``model.discriminator`` is then replaced as well. Defaults to None.

    Returns:
        str: a config whose ``_base_`` is the absolute path of the paper config
        and whose ``model.generator`` is replaced (``_delete_=True``).

    Raises:
        ConfigError: ``arch`` has no paper config (see :func:`has_matching_config`).
    """
    if arch not in PAPER_CONFIGS:
        raise ConfigError(
            f'no paper config for arch {arch!r}; known: {sorted(PAPER_CONFIGS)}'
        )
    base = package_config(PAPER_CONFIGS[arch]).resolve()
    generator = {'_delete_': True, **matching_generator_config(arch, official_kwargs)}
    model = dict(generator=generator)
    if discriminator is not None:
        d_arch, d_kwargs = discriminator
        d_config = get_official_converter(d_arch).build_config(d_kwargs)
        model['discriminator'] = {'_delete_': True, **d_config}
    body = Config(dict(model=model)).pretty_text
    return (
        f'# Matches {checkpoint} (converted from the official {arch} weights).\n'
        '# Test: python tools/test.py THIS_FILE CHECKPOINT; '
        'Python: inpaintzoo.apis.init_model(THIS_FILE, CHECKPOINT)\n'
        f'_base_ = {str(base)!r}\n{body}'
    )


#: the first line :func:`matching_config_text` writes (what marks such a config)
_HEADER = re.compile(r'# Matches .* \(converted from the official \w+ weights\)\.')


def is_matching_config(path: str | Path) -> bool:
    """Whether ``path`` is a config :func:`matching_config_text` wrote (its header).

    Args:
        path (str | Path): an existing file.

    Returns:
        bool: True when its first line is the converter's header comment; False
        for any other file, or one that cannot be read as text.
    """
    try:
        with open(path, encoding='utf-8') as f:
            first = f.readline().rstrip('\n')
    except (OSError, UnicodeDecodeError):
        return False
    return _HEADER.fullmatch(first) is not None


def matching_config_path(checkpoint: str | Path) -> Path:
    """``<checkpoint stem>_config.py`` next to ``checkpoint``."""
    checkpoint = Path(checkpoint)
    return checkpoint.with_name(checkpoint.stem.replace('.', '_') + '_config.py')


def write_matching_config(
    arch: str,
    official_kwargs: Mapping,
    checkpoint: str | Path,
    discriminator: tuple[str, Mapping] | None = None,
) -> Path:
    """Write :func:`matching_config_text` to :func:`matching_config_path`.

    The text is made before the file is opened, so an error leaves no file.
    """
    path = matching_config_path(checkpoint)
    text = matching_config_text(arch, official_kwargs, str(checkpoint), discriminator)
    path.write_text(text)
    return path
