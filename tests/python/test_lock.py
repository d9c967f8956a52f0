"""One run at a time per warehouse (orchestration/lock.py): the run that waits says who holds the
warehouse, even when it asks in the instant between the holder taking the lock and writing its name."""

from __future__ import annotations

import fcntl
import threading
import time
from pathlib import Path

from orchestration.lock import warehouse_lock


def test_a_waiting_run_names_a_holder_that_wrote_its_name_just_after_locking(tmp_path: Path) -> None:
    lock_file = tmp_path / "wh.duckdb.lock"
    holder = open(lock_file, "a+")  # noqa: SIM115 - held by the thread below
    fcntl.flock(holder, fcntl.LOCK_EX)  # locked, nothing written yet

    def the_holder() -> None:
        time.sleep(0.1)
        holder.write("pid 4242 (run started 2026-12-08 02:00:00)")
        holder.flush()
        time.sleep(0.2)
        holder.seek(0)
        holder.truncate()
        holder.flush()
        fcntl.flock(holder, fcntl.LOCK_UN)
        holder.close()

    said: list[str] = []
    thread = threading.Thread(target=the_holder)
    thread.start()
    with warehouse_lock(lock_file, said.append):
        assert lock_file.read_text().startswith("pid ")  # this run's own name now
    thread.join()
    assert said[0].startswith(f"callmart run: {tmp_path / 'wh.duckdb'} is in use by pid 4242 (run started")
    assert said[1].startswith("callmart run: the other run finished after")
