"""Files Concord writes for itself (the federation key, the deconfliction secret): whole or not
at all, so a full disk or a crash never leaves half a key that the next start would trust."""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path


def write_whole(path: Path, data: bytes, *, replace: bool = False) -> bool:
    """Write `data` to `path` (mode 0600) whole or not at all; False if `path` already existed
    and `replace` is not set (it is kept: two processes making a key at once keep the first).

    The bytes go into a file of their own beside `path`, flushed to disk, which then takes
    `path`'s name in one step (a hard link, or a rename when replacing). An OSError (no space
    left, say) leaves `path` as it was, and no partial file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(partial, path)
            return True
        try:
            os.link(partial, path)
        except FileExistsError:
            return False
        return True
    finally:
        with suppress(FileNotFoundError):
            os.unlink(partial)
