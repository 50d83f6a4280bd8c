"""Official checkpoint files -> one inpaintzoo checkpoint dict."""

from inpaintzoo.engine.checkpoint import load_local_checkpoint
from inpaintzoo.models.converters.base import get_official_converter, unwrap_checkpoint
from inpaintzoo.models.converters.convert import convert_official
from inpaintzoo.registry import MODELS


def convert_official_files(
    arch: str, gen_path: str, dis_path: str | None = None
) -> dict:
    """Convert ``InpaintingModel_gen.pth`` (and ``_dis.pth``) of ``arch``.

    The generator's width and depth are read off the checkpoint; every key must
    be mapped, be a documented alias or a documented dead key (listed in
    ``meta['dropped_keys']``), and shapes are checked against the built model.

    Args:
        arch (str): ``'hint'``, ``'mxt'`` or ``'sem_net'``.
        gen_path (str): official generator file.
        dis_path (str, optional): official discriminator file.

    Returns:
        dict: ``{'state_dict': {'generator.<k>', 'discriminator.<k>'}, 'meta'}``.

    Raises:
        CheckpointMismatchError: keys or shapes do not fit (names the likely arch).
        CorruptCheckpointError: a file is no checkpoint, truncated or damaged.
        UnsafeCheckpointError: a file refers to a Python object outside the
            allow-list (never unpickled; the message names it).
    """
    converter = get_official_converter(arch)
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
        raw_d = load_local_checkpoint(dis_path, 'cpu', allow_unsafe_pickle=False)
        dis_sd = unwrap_checkpoint(raw_d, 'discriminator')
        convert_official(dis_sd, 'discriminator')  # key check first
        d_conv = get_official_converter('discriminator')
        disc = MODELS.build(d_conv.build_config(d_conv.infer_kwargs(dis_sd)))
        res_d = convert_official(dis_sd, 'discriminator', disc)
        state.update({f'discriminator.{k}': v for k, v in res_d.state_dict.items()})
        meta['source_discriminator'] = str(dis_path)
        meta['dropped_keys'].update(res_d.dropped)
    return dict(state_dict=state, meta=meta)
