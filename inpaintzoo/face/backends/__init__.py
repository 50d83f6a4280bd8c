"""Face landmark backends registered in :data:`inpaintzoo.face.detection.FACE_BACKENDS`.

Importing this package never imports dlib or facexlib: each backend imports its
library when it is built.
"""

from inpaintzoo.face.backends.dlib_backend import DlibLandmarkBackend
from inpaintzoo.face.backends.facexlib_backend import FacexlibLandmarkBackend

__all__ = ['DlibLandmarkBackend', 'FacexlibLandmarkBackend']
