"""The Dagster instance a `callmart run` executes in: Dagster's ephemeral one, its in-memory event
log holding its SQLite connections for the run.

Dagster's ephemeral instance keeps events in an in-memory SQLite database and opens a new connection
(with two PRAGMAs) for every query: a run stores about 1,300 events (a main run after one new hour:
428 planned materializations and checks, 428 outputs, 87 materializations, 341 check results), each
through several queries. Here each thread keeps one connection to that database for the life of the
instance, and the storage's table list is asked once: the queries are the same, on the same
database, serialised by the same lock (which also rules out one connection being used twice at a
time). docs/decisions.md, "The main run's fixed costs".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster import DagsterInstance
from dagster._core.instance import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import LocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage


class _HeldConnections:
    """One connection per thread to an in-memory SQLite database, open until `close`."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.local = threading.local()
        self.opened: list[Any] = []
        self.guard = threading.Lock()

    def get(self) -> Any:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.engine.connect()
            connection.execute(db.text("PRAGMA foreign_keys=ON;")).close()
            connection.commit()
            self.local.connection = connection
            with self.guard:
                self.opened.append(connection)
        return connection

    def close(self) -> None:
        with self.guard:
            for connection in self.opened:
                connection.close()
            self.opened.clear()


class RunEventLogStorage(InMemoryEventLogStorage):
    """Dagster's in-memory event log, each thread's connection held."""

    def __init__(self) -> None:
        super().__init__()
        self._held = _HeldConnections(self._engine)
        self._tables: dict[str, bool] = {}

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        with self._db_lock:
            connection = self._held.get()
            with connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables:
            self._tables[table_name] = super().has_table(table_name)
        return self._tables[table_name]

    def dispose(self) -> None:
        self._held.close()
        super().dispose()


def run_instance(storage_dir: str) -> DagsterInstance:
    """An ephemeral instance, what `DagsterInstance.ephemeral(tempdir=storage_dir)` makes, with the
    event log above."""
    return DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=LocalArtifactStorage(storage_dir),
        run_storage=InMemoryRunStorage(),
        event_storage=RunEventLogStorage(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )
