"""Where the repository's ``tools/`` scripts are on this machine, for messages.

A source checkout has them in ``tools/``; a wheel ships a copy as package data
under ``inpaintzoo/.mim/tools`` (OpenMMLab layout, copied by ``setup.py``). A
message that sends the user to a script names the copy that exists, so it is
true for a clone and for ``pip install inpaintzoo`` alike.
"""

from pathlib import Path

from inpaintzoo.utils.config_paths import PACKAGE_DIR, mim_dir


def tool_roots(package_dir: Path | None = None) -> list[Path]:
    """Folders that may hold the ``tools/`` scripts, in order of preference.

    Args:
        package_dir (Path, optional): the ``inpaintzoo`` package folder. Defaults
            to the imported package.

    Returns:
        list[Path]: the checkout's ``tools/`` (when the package sits next to
        ``setup.py``), then ``<package>/.mim/tools``; only folders that exist.
    """
    pkg = Path(package_dir or PACKAGE_DIR)
    roots = []
    if (pkg.parent / 'setup.py').is_file() and (pkg.parent / 'tools').is_dir():
        roots.append(pkg.parent / 'tools')
    if (mim_dir(pkg) / 'tools').is_dir():
        roots.append(mim_dir(pkg) / 'tools')
    return roots


def find_tool(name: str, package_dir: Path | None = None) -> str | None:
    """The path of the script ``tools/<name>`` on this machine, as messages show it.

    Args:
        name (str): the script under ``tools/``, e.g. ``'inpaint_face.py'``.
        package_dir (Path, optional): the ``inpaintzoo`` package folder (tests
            use a fake one). Defaults to the imported package.

    Returns:
        str | None: the script's path, relative to the working directory when it
        lies below it (``'tools/inpaint_face.py'`` in the repository root), else
        absolute (``'.../site-packages/inpaintzoo/.mim/tools/inpaint_face.py'``);
        None when neither a checkout nor the package holds it.
    """
    for root in tool_roots(package_dir):
        path = root / name
        if path.is_file():
            try:
                return str(path.relative_to(Path.cwd()))
            except (ValueError, OSError):  # not below it, or no working folder
                return str(path)
    return None


def tool_path(name: str, package_dir: Path | None = None) -> str:
    """:func:`find_tool`, or ``'tools/<name> (in a clone of the repository)'``."""
    found = find_tool(name, package_dir)
    return found or f'tools/{name} (in a clone of the repository)'
