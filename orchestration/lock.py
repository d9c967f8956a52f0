"""One run at a time per warehouse: an exclusive lock on a file beside it.

DuckDB allows one writer; a second `callmart run` (or `check`) on the same warehouse waits for the
first, saying so, instead of failing half-way or corrupting it. Runs on other warehouses never wait.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def warehouse_lock(lock_file: Path, say: Callable[[str], None], what: str = "run") -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle) or "another callmart process"
            say(
                f"callmart {what}: {lock_file.with_suffix('')} is in use by {holder}; waiting for it to finish ..."
            )
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            say(f"callmart {what}: the other run finished after {time.monotonic() - started:.0f} s; starting")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({what} started {time.strftime('%Y-%m-%d %H:%M:%S')})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(handle: IO[str]) -> str:
    """Who holds the lock, as the holder wrote it. It writes right after it takes the lock: a run
    that asks in between reads nothing, so it asks again for up to half a second (a holder that
    ended its run meanwhile has emptied the file: nothing is read then either)."""
    for _ in range(20):
        handle.seek(0)
        holder = handle.read().strip()
        if holder:
            return holder
        time.sleep(0.025)
    return ""
