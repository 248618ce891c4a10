"""Key files under ``QIXIANG_KEY_DIR``: made once, atomically, readable by the owner only.

Several worker processes may start at once; each tries to create a key file with ``link``, which
fails when the name exists, so they all end up using the one file that won.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings


def key_dir(*parts: str) -> Path:
    """``QIXIANG_KEY_DIR`` (or a folder inside it), created with mode 0700."""
    return _made(str(settings.QIXIANG_KEY_DIR), parts)


@cache
def _made(root: str, parts: tuple[str, ...]) -> Path:
    """Create the folder once per process (this runs on every signed response)."""
    path = Path(root).joinpath(*parts)
    for folder in (Path(root), path):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_new(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Write ``data`` to ``path`` unless it exists (atomically); True when we wrote it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


def replace(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically (readers see the old or the new file)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), mode)
        f.write(data)
    os.replace(tmp, path)


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The content of ``path``, first writing ``make()`` there if it does not exist yet."""
    if not path.exists():
        write_new(path, make())
    return path.read_bytes()
