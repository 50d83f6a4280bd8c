"""The official codes' weight initialisation ('normal', gain 0.02).

Shared by the NCLG-MT generator (:func:`official_normal_init`, reference-models
§5.6) and the PatchGAN discriminator (its convolutions, §1.7).
"""

from torch import nn


def normal_init_(module: nn.Module, mean: float = 0.0, std: float = 0.02) -> None:
    """N(``mean``, ``std``) weight and zero bias for one layer, in place.

    A spectral-normalised layer is initialised through its ``weight_orig``
    parameter (the official code writes through ``weight.data``, which shares
    its storage at construction).

    Args:
        module (nn.Module): a layer with ``weight`` (or ``weight_orig``) and
            ``bias`` (may be None).
        mean (float): mean of the weights. Defaults to 0.
        std (float): their standard deviation. Defaults to 0.02.
    """
    weight = getattr(module, 'weight_orig', None)
    weight = module.weight if weight is None else weight
    nn.init.normal_(weight.data, mean, std)
    if module.bias is not None:
        nn.init.zeros_(module.bias.data)


#: layers whose weights :func:`official_normal_init` draws from N(0, gain)
_NORMAL_INIT_LAYERS = (
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.ConvTranspose1d,
    nn.ConvTranspose2d,
    nn.ConvTranspose3d,
    nn.Linear,
)
#: norms whose weights it draws from N(1, gain)
_NORMAL_INIT_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def official_normal_init(module: nn.Module, gain: float = 0.02) -> None:
    """The LaFIn / NCLG-MT ``init_weights`` ('normal', reference-models §5.6).

    Every convolution (transposed too) and ``Linear`` weight gets N(0, ``gain``)
    and its bias 0; every affine ``BatchNorm`` weight N(1, ``gain``) and its
    bias 0. A spectral-normalised conv is initialised through its
    ``weight_orig`` parameter (the official code writes through ``weight.data``,
    which shares its storage at construction). Other parameters (attention
    scalars, PReLU slopes) are left alone.

    Args:
        module (nn.Module): initialised in place, with all its submodules.
        gain (float): standard deviation. Defaults to 0.02.
    """
    for m in module.modules():
        if isinstance(m, _NORMAL_INIT_LAYERS):
            normal_init_(m, 0.0, gain)
        elif isinstance(m, _NORMAL_INIT_NORMS) and m.affine:
            normal_init_(m, 1.0, gain)
