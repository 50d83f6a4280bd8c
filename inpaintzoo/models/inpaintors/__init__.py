"""Inpaintors: MMEngine models that own generator, discriminator and losses."""

from inpaintzoo.models.inpaintors.base_inpaintor import BaseInpaintor, composite
from inpaintzoo.models.inpaintors.gan_inpaintor import GANInpaintor
from inpaintzoo.models.inpaintors.nclg_inpaintor import NCLGInpaintor

__all__ = ['BaseInpaintor', 'GANInpaintor', 'NCLGInpaintor', 'composite']
