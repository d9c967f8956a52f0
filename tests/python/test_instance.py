"""The run's Dagster instance (orchestration/instance.py): its event log holds one connection for
the run's thread and gives another thread connections of its own (SQLite's belong to one thread)."""

from __future__ import annotations

import threading
from pathlib import Path

from orchestration.instance import RunEventLogStorage, run_instance


def test_the_run_thread_keeps_its_connection_and_another_thread_gets_its_own() -> None:
    storage = RunEventLogStorage()
    connections = []
    for _ in range(2):
        with storage._connect() as connection:
            connections.append(connection)
    first, second = connections
    assert first is second
    seen: list[object] = []

    def other_thread() -> None:
        with storage._connect() as connection:
            seen.append(connection)
            seen.append(connection.exec_driver_sql("select count(*) from event_logs").fetchall())

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen[0] is not first and seen[1] == [(0,)]
    storage.dispose()


def test_a_run_instance_is_ephemeral_and_stores_in_the_held_event_log(tmp_path: Path) -> None:
    with run_instance(str(tmp_path)) as instance:
        assert instance.is_ephemeral
        assert isinstance(instance.event_log_storage, RunEventLogStorage)
