"""Find inpaintzoo's config files in a source checkout or an installed package.

OpenMMLab layout: a wheel ships the repository's ``configs/`` and ``model_zoo/``
as package data under ``inpaintzoo/.mim/`` (copied by ``setup.py`` at build
time). In a source checkout, including an editable install, the repository's own
``configs/`` is used, so edits take effect without reinstalling.

A config is named either by a path that exists (``configs/hint/x.py`` from the
repository root, an absolute path, or any user file) or by its name relative to
``configs/`` (``hint/hint-tiny_1xb4-300_demo-64x64.py``,
``_base_/models/hint.py``); a leading ``configs/`` is accepted in both forms.
Names that inpaintzoo itself supplies (zoo metafiles, the demo and converter
tables) go through :func:`package_config`, which never looks in the working
directory: a config is Python, and a same-named file there must not run.
"""

from pathlib import Path

from inpaintzoo.utils.errors import ConfigNotFoundError

#: the installed (or checked-out) ``inpaintzoo`` package folder
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def mim_dir(package_dir: Path | None = None) -> Path:
    """``inpaintzoo/.mim``: configs and model-zoo metafiles of an installed wheel."""
    return Path(package_dir or PACKAGE_DIR) / '.mim'


def config_roots(package_dir: Path | None = None) -> list[Path]:
    """Folders searched for package-relative config names, in order.

    Args:
        package_dir (Path, optional): the ``inpaintzoo`` package folder. Defaults
            to the imported package.

    Returns:
        list[Path]: the source checkout's ``configs/`` (when the package sits in
        a checkout, i.e. next to ``setup.py``), then ``<package>/.mim/configs``;
        only folders that exist.
    """
    pkg = Path(package_dir or PACKAGE_DIR)
    checkout = pkg.parent
    roots = []
    if (checkout / 'setup.py').is_file() and (checkout / 'configs').is_dir():
        roots.append(checkout / 'configs')
    if (mim_dir(pkg) / 'configs').is_dir():
        roots.append(mim_dir(pkg) / 'configs')
    return roots


def _package_relative(name: Path) -> Path:
    parts = name.parts
    return Path(*parts[1:]) if parts and parts[0] == 'configs' else name


def resolve_config(name: str | Path, package_dir: Path | None = None) -> Path:
    """Path of a config given as an existing path or a name under ``configs/``.

    For paths the user types: ``name`` (``'configs/hint/x.py'``, ``'hint/x.py'``,
    absolute, or relative to the working directory) is taken as it is when such a
    file exists, else looked up like :func:`package_config` (same arguments,
    result and error).
    """
    path = Path(name)
    if path.is_file():
        return path
    return package_config(name, package_dir)


def package_config(name: str | Path, package_dir: Path | None = None) -> Path:
    """Path of one of inpaintzoo's own configs, never one of the working directory.

    For names that come from inpaintzoo itself (metafiles, demo and converter
    tables): a config is Python that MMEngine runs when it reads it, so a
    relative name is looked up only under :func:`config_roots`; a file of the same
    name in the current folder is never read. An absolute path is taken as it is.

    Args:
        name (str | Path): ``'configs/hint/x.py'``, ``'hint/x.py'`` or an
            absolute path.
        package_dir (Path, optional): the ``inpaintzoo`` package folder (tests use
            a fake one). Defaults to the imported package.

    Returns:
        Path: an existing config file.

    Raises:
        ConfigNotFoundError: no such file; the message lists the folders searched.
    """
    path = Path(name)
    roots = config_roots(package_dir)
    if path.is_absolute():
        if path.is_file():
            return path
    else:
        relative = _package_relative(path)
        for root in roots:
            candidate = root / relative
            if candidate.is_file():
                return candidate
    searched = ', '.join(str(r) for r in roots) or '(no configs folder found)'
    raise ConfigNotFoundError(
        f'config {str(name)!r} not found: it is not a file and not a name under '
        f'{searched}. Pass the path of a config file, or a name relative to '
        "configs/ such as 'hint/hint-tiny_1xb4-300_demo-64x64.py'; an installed "
        'inpaintzoo must have been built with its configs (inpaintzoo/.mim).'
    )
