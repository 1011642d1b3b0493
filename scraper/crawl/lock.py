"""The run lock: one crawl at a time per output folder (and per state file), cron-safe."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import CrawlLockedError, OutputError

__all__ = ["crawl_lock"]


@contextlib.contextmanager
def crawl_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` or raise ``CrawlLockedError`` at once (no waiting).

    The kernel drops the lock when the process dies, however it dies; the file is left in place
    (deleting it would let two runs lock two different files).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot create lock file {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f" by pid {holder}" if holder.isdigit() else ""
            raise CrawlLockedError(f"another crawl is running (lock {path} held{who}); exiting") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
