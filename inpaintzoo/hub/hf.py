"""Hugging Face Hub files (``hf://org/repo[@revision]/path``).

They need the optional ``huggingface_hub`` package (``pip install inpaintzoo[hub]``).
"""

import importlib
import shutil
from pathlib import Path
from types import ModuleType

from inpaintzoo.hub.gdrive import ExtraNotInstalled
from inpaintzoo.utils.errors import ConfigError

HF_PREFIX = 'hf://'


def parse_hf_link(link: str) -> tuple[str, str | None, str]:
    """``hf://org/repo[@rev]/path/file`` -> ``(repo_id, revision, path)``.

    Raises:
        ConfigError: not of that form.
    """
    rest = link[len(HF_PREFIX) :] if link.startswith(HF_PREFIX) else ''
    parts = rest.split('/', 2)
    if len(parts) < 3 or not all(parts):
        raise ConfigError(
            f'Hugging Face link {link!r} must look like hf://org/repo/path/to/file '
            '(optionally hf://org/repo@revision/file)'
        )
    org, repo, path = parts
    repo, _, revision = repo.partition('@')
    return f'{org}/{repo}', revision or None, path


def import_hf_hub() -> ModuleType:
    """The ``huggingface_hub`` module, or :class:`ExtraNotInstalled`."""
    try:
        return importlib.import_module('huggingface_hub')
    except ImportError as err:
        raise ExtraNotInstalled(
            'Hugging Face downloads need the optional huggingface_hub package: '
            "pip install 'inpaintzoo[hub]' (or pip install huggingface_hub)"
        ) from err


def hf_file_name(link: str) -> str:
    """The base name of the file an ``hf://`` link points at."""
    return Path(parse_hf_link(link)[2]).name


def fetch_hf_file(link: str, dest: Path) -> Path:
    """Download the file of ``link`` into ``dest`` (as its base name).

    Raises:
        ExtraNotInstalled: ``huggingface_hub`` is missing.
        OSError: the download failed.
    """
    repo_id, revision, path = parse_hf_link(link)
    hub = import_hf_hub()
    dest.mkdir(parents=True, exist_ok=True)
    staging = dest / '.hf-staging'
    try:
        got = hub.hf_hub_download(
            repo_id=repo_id, filename=path, revision=revision, local_dir=str(staging)
        )
    except Exception as err:  # network, auth, missing file: many types
        raise OSError(
            f'huggingface_hub could not download {link}: {type(err).__name__}: {err}'
        ) from err
    target = dest / Path(path).name
    shutil.move(str(got), target)
    shutil.rmtree(staging, ignore_errors=True)
    return target
