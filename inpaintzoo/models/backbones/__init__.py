"""Backbones (generators) assembled from registered layers."""

from inpaintzoo.models.backbones.inpaint_unet import InpaintUNet
from inpaintzoo.models.backbones.landmark_branch import LandmarkBranchGenerator
from inpaintzoo.models.backbones.nclg_generator import NCLGGenerator, NCLGOutput

__all__ = ['InpaintUNet', 'LandmarkBranchGenerator', 'NCLGGenerator', 'NCLGOutput']
