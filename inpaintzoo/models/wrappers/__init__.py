"""Model wrappers for distributed training beyond MMEngine's."""

from inpaintzoo.models.wrappers.separate_ddp import SeparateDDP
from inpaintzoo.models.wrappers.separate_fsdp import SeparateFSDP

__all__ = ['SeparateDDP', 'SeparateFSDP']
