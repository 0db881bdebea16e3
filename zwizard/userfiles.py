"""Reading a file a user names (an answers file, a draft, a host-key document).

Only a regular file is read, and only up to a cap: a FIFO would hang the wizard and
/dev/zero would fill the memory, so both end at once with a clear reason instead.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_BYTES = 1 << 20  # 1 MiB: no answers file, draft or certificate comes near it

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular(path: str | Path, cap: int = MAX_BYTES) -> bytes:
    """The bytes of `path`; OSError (its strerror says why) when it is not a regular
    file, or holds more than `cap` bytes."""
    # O_NONBLOCK: opening a FIFO with no writer must not wait
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((word for test, word in _KINDS if test(st.st_mode)), "not a file")
            raise OSError(errno.EINVAL, f"{kind}, not a regular file", str(path))
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(cap + 1)
    finally:
        os.close(fd)
    if len(data) > cap:
        raise OSError(errno.EFBIG, f"larger than {cap // (1 << 20)} MiB", str(path))
    return data
