"""Atomic file writes: a temporary file beside the target, renamed onto it once complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block ends cleanly,
    removed when it raises. A reader never sees a half-written file.

    Raises OSError when the temporary file cannot be created (folder missing or read-only).
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        try:  # a file rewritten keeps its permissions (a 0600 report stays 0600)
            mode = path.stat().st_mode & 0o777
        except OSError:  # a new file: as a plainly created file would be, not mkstemp's 0600
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
