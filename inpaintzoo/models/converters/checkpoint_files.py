"""Official checkpoint files -> one inpaintzoo checkpoint dict."""

from inpaintzoo.engine.checkpoint import load_local_checkpoint
from inpaintzoo.models.converters.base import (
    OfficialConverter,
    generator_archs,
    get_official_converter,
    guess_arch,
    unwrap_checkpoint,
)
from inpaintzoo.models.converters.convert import convert_official
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError


def _generator_converter(arch: str) -> OfficialConverter:
    """The converter of generator ``arch``; refuses a discriminator arch."""
    converter = get_official_converter(arch)
    if converter.is_discriminator:
        raise ConfigError(
            f'{arch!r} converts a discriminator; give the generator architecture '
            f'({", ".join(generator_archs())}) and the discriminator file as the '
            'discriminator (--dis)'
        )
    return converter


#: what each discriminator converter converts, for messages
_DISCRIMINATOR_KINDS = {
    'discriminator': 'the PatchGAN discriminator of HINT / MxT / SEM-Net',
    'nclg_discriminator': 'the NCLG-MT discriminator (PatchGAN with short+long '
    'attention)',
}


def _kind(dis_arch: str) -> str:
    default = get_official_converter(dis_arch).official_name
    return _DISCRIMINATOR_KINDS.get(dis_arch, f'{default} ({dis_arch!r})')


def _check_discriminator_kind(arch: str, dis_arch: str, keys: list[str]) -> None:
    """Refuse a discriminator of another official architecture than ``arch``'s."""
    guess = guess_arch(keys)
    if guess is None or guess == dis_arch:
        return
    if guess in generator_archs():
        raise CheckpointMismatchError(
            f'the discriminator file holds a {guess!r} generator, not a discriminator; '
            'give the generator file first and its discriminator file second'
        )
    raise CheckpointMismatchError(
        f'the discriminator file holds {_kind(guess)}, but {arch!r} is trained '
        f'with {_kind(dis_arch)}: give the discriminator file of the same official '
        f'{arch} run'
    )


def convert_official_files(
    arch: str, gen_path: str, dis_path: str | None = None
) -> dict:
    """Convert ``InpaintingModel_gen.pth`` (and ``_dis.pth``) of ``arch``.

    The generator's width and depth are read off the checkpoint; every key must
    be mapped, be a documented alias or a documented dead key (listed in
    ``meta['dropped_keys']``), and shapes are checked against the built model.
    The discriminator is converted by the generator's own discriminator converter
    (:attr:`OfficialConverter.discriminator_arch`: the PatchGAN for HINT / MxT /
    SEM-Net, the PatchGAN with short+long attention for NCLG-MT); a discriminator
    of the other kind is refused.

    Args:
        arch (str): a generator architecture: ``'hint'``, ``'mxt'``,
            ``'sem_net'`` or ``'nclg'``.
        gen_path (str): official generator file.
        dis_path (str, optional): official discriminator file.

    Returns:
        dict: ``{'state_dict': {'generator.<k>', 'discriminator.<k>'}, 'meta'}``;
        ``meta`` holds ``arch``, ``official_kwargs`` and, with a discriminator,
        ``discriminator_arch`` and ``discriminator_kwargs``.

    Raises:
        ConfigError: ``arch`` is a discriminator converter.
        CheckpointMismatchError: keys or shapes do not fit (names the likely
            arch), a discriminator of the other kind, or a file that already is
            an inpaintzoo checkpoint.
        CorruptCheckpointError: a file is no checkpoint, truncated or damaged.
        UnsafeCheckpointError: a file refers to a Python object outside the
            allow-list (never unpickled; the message names it).
    """
    converter = _generator_converter(arch)
    raw = load_local_checkpoint(gen_path, 'cpu', allow_unsafe_pickle=False)
    gen_sd = unwrap_checkpoint(raw, arch)
    convert_official(gen_sd, arch)  # key check first: names a foreign arch
    kwargs = converter.infer_kwargs(gen_sd)
    generator = MODELS.build(converter.build_config(kwargs))
    result = convert_official(gen_sd, arch, generator)
    state = {f'generator.{k}': v for k, v in result.state_dict.items()}
    meta = dict(
        arch=arch,
        source_generator=str(gen_path),
        official_kwargs=kwargs,
        dropped_keys=dict(result.dropped),
    )
    if isinstance(raw, dict) and 'iteration' in raw:
        meta['iteration'] = int(raw['iteration'])
    if dis_path is not None:
        dis_arch = converter.discriminator_arch
        d_conv = get_official_converter(dis_arch)
        raw_d = load_local_checkpoint(dis_path, 'cpu', allow_unsafe_pickle=False)
        dis_sd = unwrap_checkpoint(raw_d, dis_arch)
        _check_discriminator_kind(arch, dis_arch, list(dis_sd))
        convert_official(dis_sd, dis_arch)  # key check first
        d_kwargs = d_conv.infer_kwargs(dis_sd)
        disc = MODELS.build(d_conv.build_config(d_kwargs))
        res_d = convert_official(dis_sd, dis_arch, disc)
        state.update({f'discriminator.{k}': v for k, v in res_d.state_dict.items()})
        meta['source_discriminator'] = str(dis_path)
        meta['discriminator_arch'] = dis_arch
        meta['discriminator_kwargs'] = d_kwargs
        meta['dropped_keys'].update(res_d.dropped)
    return dict(state_dict=state, meta=meta)
