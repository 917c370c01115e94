"""One writing command per index at a time: an advisory lock on ``writer.lock`` in the index folder.

LMDB serialises single transactions, not whole builds: two builds of one index would race for
the same files. ``index build`` and ``index update`` hold this lock for their whole run; a
second one is refused at once with a message naming the holder. The kernel drops the lock when
its holder dies (even by SIGKILL), so a stale lock file never blocks anything.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from typing import Iterator

from ..errors import IndexBusyError

LOCK_FILE = "writer.lock"


@contextmanager
def writer_lock(index_path: str | os.PathLike, command: str) -> Iterator[None]:
    """Hold the index's writer lock while the block runs; ``command`` is shown to a second writer."""
    path = os.path.abspath(os.fspath(index_path))
    fd = os.open(os.path.join(path, LOCK_FILE), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise IndexBusyError(
                f"the index at {path} is being written by {holder}; wait for it to finish "
                f"(or stop it: what it committed is kept) and run this again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"`{command}` (pid {os.getpid()})".encode(), 0)
        yield
    finally:
        os.close(fd)
