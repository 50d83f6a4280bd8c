"""Inpaintors: MMEngine models that own generator, discriminator and losses."""

from inpaintzoo.models.inpaintors.base_inpaintor import BaseInpaintor, composite
from inpaintzoo.models.inpaintors.gan_inpaintor import GANInpaintor

__all__ = ['BaseInpaintor', 'GANInpaintor', 'composite']
