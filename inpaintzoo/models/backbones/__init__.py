"""Backbones (generators) assembled from registered layers."""

from inpaintzoo.models.backbones.inpaint_unet import InpaintUNet

__all__ = ['InpaintUNet']
