"""On/off switches read from environment variables (``$INPAINTZOO_...``)."""

import os

from inpaintzoo.utils.errors import ConfigError

#: words that turn a switch on / off (compared in lower case)
ON_WORDS = ('on', '1', 'true', 'yes', 'auto')
OFF_WORDS = ('off', '0', 'false', 'no')


def env_switch(name: str) -> bool:
    """The on/off switch ``$name``: on when unset or empty.

    Args:
        name (str): environment variable name.

    Raises:
        ConfigError: (a ``ValueError``) the variable holds anything else than
            on/off words; the ``inpaintzoo`` programs print it as one line.
    """
    value = os.environ.get(name, 'on').strip().lower() or 'on'
    if value in ON_WORDS:
        return True
    if value in OFF_WORDS:
        return False
    raise ConfigError(f'${name} must be on or off, got {value!r}')
