"""Discriminators."""

from inpaintzoo.models.discriminators.patch_discriminator import PatchDiscriminator

__all__ = ['PatchDiscriminator']
