"""Files written whole or not at all: exports, reports, chart images, store snapshots.

A crash (or a kill) in the middle of a write never leaves half a file under the final name: the
content goes to a temporary file beside the target, which then replaces the target in one
``os.replace``.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def atomic_write(path: str | os.PathLike, write: Callable[[IO[Any]], None], *,
                 binary: bool = False, newline: str | None = None, shared: bool = True) -> None:
    """Write ``path`` whole or not at all: ``write`` gets an open file, text (UTF-8) unless
    ``binary``. ``shared=True`` gives the file the permissions any new file would get (exports
    and reports are meant to be shared); ``shared=False`` keeps mkstemp's private 0600."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        if shared:
            os.chmod(tmp, 0o666 & ~_umask())
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, newline=None if binary else newline) as f:
            fd = -1
            write(f)
        os.replace(tmp, target)
    finally:
        if fd != -1:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """``atomic_write`` of bytes already in memory (a rendered chart image)."""
    atomic_write(path, lambda f: f.write(data), binary=True)


def _umask() -> int:
    # The only way to read the umask is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
