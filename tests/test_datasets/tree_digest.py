"""A digest of a folder's files, to check that data writers give the same bytes."""

import hashlib
from pathlib import Path


def tree_digest(root: Path) -> str:
    """SHA-256 over every file below ``root``: relative POSIX path, then its bytes,
    in sorted path order (folders themselves do not count)."""
    sha = hashlib.sha256()
    for path in sorted(root.rglob('*')):
        if path.is_file():
            sha.update(path.relative_to(root).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()
