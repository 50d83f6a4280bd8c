"""Data structures."""

from inpaintzoo.structures.inpaint_sample import InpaintSample

__all__ = ['InpaintSample']
