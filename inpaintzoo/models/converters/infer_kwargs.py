"""Official constructor kwargs read off an official generator state dict."""

from inpaintzoo.utils.errors import ConfigError

_STAGES = ('encoder_level1', 'encoder_level2', 'encoder_level3', 'latent')
#: where each arch keeps its per-head temperature (None: heads are unused)
_TEMPERATURE = {'hint': 'attn.temperature', 'mxt': 'attn.temperature2', 'sem_net': None}
#: output channels of the patch embedding per embedding channel (gated = 2)
_EMBED_FACTOR = {'hint': 2, 'mxt': 2, 'sem_net': 1}
#: the FFN factor each arch's official code uses by default
_DEFAULT_EXPANSION = {'hint': 2.66, 'mxt': 2.0, 'sem_net': 2.0}


def infer_official_kwargs(arch: str, state_dict: dict) -> dict:
    """Official ``HINT`` / ``MxT`` / ``SEM`` kwargs from the tensor shapes.

    Args:
        arch (str): ``'hint'``, ``'mxt'`` or ``'sem_net'``.
        state_dict (dict): official generator state dict (``module.`` stripped).

    Returns:
        dict: ``inp_channels``, ``out_channels``, ``dim``, ``num_blocks``,
        ``heads`` (official default ``[1, 2, 4, 8]`` for SEM-Net, which ignores
        them) and ``ffn_expansion_factor``.

    Raises:
        ConfigError: unknown arch, or a state dict without the expected keys.
    """
    if arch not in _TEMPERATURE:
        raise ConfigError(
            f'cannot infer kwargs for arch {arch!r}; known: {sorted(_TEMPERATURE)}'
        )
    try:
        embed = state_dict['patch_embed.gproj1.weight']
        out_w = state_dict['output.0.weight']
        hidden = state_dict['encoder_level1.0.ffn.project_out.weight'].shape[1]
    except KeyError as err:
        raise ConfigError(f'not an official {arch} state dict: no key {err}') from None
    dim = embed.shape[0] // _EMBED_FACTOR[arch]
    blocks = [
        len({int(k.split('.')[1]) for k in state_dict if k.startswith(stage + '.')})
        for stage in _STAGES
    ]
    temp = _TEMPERATURE[arch]
    heads = (
        [int(state_dict[f'{stage}.0.{temp}'].shape[0]) for stage in _STAGES]
        if temp
        else [1, 2, 4, 8]
    )
    default = _DEFAULT_EXPANSION[arch]
    expansion = default if int(dim * default) == hidden else hidden / dim
    return dict(
        inp_channels=int(embed.shape[1]),
        out_channels=int(out_w.shape[0]),
        dim=int(dim),
        num_blocks=blocks,
        heads=heads,
        ffn_expansion_factor=expansion,
    )
