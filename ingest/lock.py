"""One ingest at a time per index folder: a second waits for the first, so neither removes the
other's work or switches to a build the other is still writing."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".ingest.lock"


@contextmanager
def ingest_lock(index_dir: Path, announce: Callable[[str], None]) -> Iterator[None]:
    """Hold the folder's ingest lock (an advisory flock, released if the process dies)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            announce("Another ingest is writing this index: waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
