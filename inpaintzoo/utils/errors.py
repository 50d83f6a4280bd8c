"""Exception types raised for bad user input.

They derive from the built-in exception a caller would expect (``ValueError``,
``OSError``, ``RuntimeError``) so generic handlers keep working, and each message
names the offending file, key or value.
"""


class InvalidMaskError(ValueError):
    """A mask has the wrong size, channel count or values."""


class ImageReadError(OSError):
    """An image or mask file is missing, unreadable or not an image."""


class CheckpointMismatchError(RuntimeError):
    """A checkpoint does not fit the model (other arch, missing keys, shapes)."""


class ConfigError(ValueError):
    """A config value is invalid; the message names the key and the allowed values."""
