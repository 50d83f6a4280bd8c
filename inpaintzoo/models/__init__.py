"""Models: reusable layers, backbones, discriminators, losses, inpaintors."""

from inpaintzoo.models import (  # noqa: F401
    backbones,
    converters,
    data_preprocessors,
    discriminators,
    inpaintors,
    layers,
    losses,
    restorers,
    ssm,
    wrappers,
)
