"""Exception types raised for bad user input.

Every type derives from :class:`InpaintzooError`, so a command-line tool can catch
"the user gave us something wrong" in one place, and also from the built-in
exception a caller would expect (``ValueError``, ``OSError``, ``RuntimeError``) so
generic handlers keep working. Each message names the offending file, key or value
and what to do about it.
"""


class InpaintzooError(Exception):
    """Base class of every inpaintzoo error about user input (files, configs)."""


class InvalidMaskError(InpaintzooError, ValueError):
    """A mask has the wrong size, channel count or values."""


class ImageReadError(InpaintzooError, OSError):
    """An image or mask file is missing, unreadable or not an image."""


class CheckpointMismatchError(InpaintzooError, RuntimeError):
    """A checkpoint does not fit the model (other arch, missing keys, shapes)."""


class ConfigError(InpaintzooError, ValueError):
    """A config value is invalid; the message names the key and the allowed values."""


class DataNotFoundError(ImageReadError):
    """Data paths named by a config do not exist (the message lists all of them)."""


class WorkDirLockedError(InpaintzooError, RuntimeError):
    """Another process is using the work dir (the message names it and the PID)."""


class InvalidImageError(InpaintzooError, ValueError):
    """An image tensor has the wrong shape, dtype, range or non-finite known pixels."""


class FolderPairingError(InpaintzooError, ValueError):
    """Folders scored together do not pair up (file counts or stems differ)."""


class ConfigNotFoundError(ConfigError, FileNotFoundError):
    """A config name resolves to no file (the message lists where it was looked for)."""


class CorruptCheckpointError(CheckpointMismatchError):
    """A checkpoint file is not a checkpoint, truncated, corrupt or has a wrong hash."""


class UnsafeCheckpointError(CheckpointMismatchError):
    """Loading a checkpoint would need full unpickling (or an unchecked download)."""


class UnsupportedCheckpointURLError(CheckpointMismatchError, ValueError):
    """A checkpoint URL of a scheme that cannot be loaded (``s3://``, ...).

    Only local paths, ``file://`` URLs of this machine and hash-named http(s)
    URLs load; the message says to download the file and pass its local path.
    """


class UntrustedPathError(InpaintzooError, OSError):
    """A cache folder or file others could write, or one failing its recorded hash."""


class WeightsUnavailableError(InpaintzooError, OSError):
    """Zoo weights cannot be fetched (offline, no network, optional extra missing).

    The message names the link, the file names to fetch by hand and the exact
    cache folder to put them in; the next call finds them there.
    """


class MissingDependencyError(InpaintzooError, ImportError):
    """An optional package is not installed; the message names the pip command."""


class ModelFileNotFoundError(WeightsUnavailableError, FileNotFoundError):
    """A model file a library needs (e.g. dlib's ``.dat`` predictor) is not found.

    The message lists where it was looked for and how to provide it.
    """


class InvalidLandmarksError(InpaintzooError, ValueError):
    """A landmark file or array has a wrong count or non-numeric/non-finite values."""


class FaceNotUsableError(InvalidImageError):
    """A photo's face cannot be inpainted as asked (face workflow base class)."""


class NoFaceFoundError(FaceNotUsableError):
    """No face was detected in a photo (the message says what helps)."""


class MultipleFacesError(FaceNotUsableError):
    """Several faces were detected and none was chosen; the message lists them."""


class FaceTooSmallError(FaceNotUsableError):
    """The chosen face is smaller than the workflow's minimum (named)."""
