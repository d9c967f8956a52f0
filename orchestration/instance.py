"""The Dagster instance a `callmart run` executes in: Dagster's ephemeral one, its in-memory event
log holding its SQLite connections for the run.

Dagster's ephemeral instance keeps events in an in-memory SQLite database and opens a new connection
(with two PRAGMAs) for every query: a run stores about 1,300 events (a main run after one new hour:
428 planned materializations and checks, 428 outputs, 87 materializations, 341 check results), each
through several queries. Here the run's thread keeps one connection to that database for the life
of the instance, and the storage's table list is asked once: the queries are the same, on the same
database, serialised by the same lock (which also rules out the connection being used twice at a
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


class RunEventLogStorage(InMemoryEventLogStorage):
    """Dagster's in-memory event log, holding one connection for the thread that made it (the run's
    own, which stores its events); another thread gets a connection of its own per query, as in
    Dagster's (SQLite connections belong to the thread that opened them)."""

    def __init__(self) -> None:
        super().__init__()
        self._owner = threading.get_ident()
        self._held_connection = self._engine.connect()
        self._held_connection.execute(db.text("PRAGMA foreign_keys=ON;")).close()
        self._held_connection.commit()
        self._tables: dict[str, bool] = {}

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        if threading.get_ident() != self._owner:
            with super()._connect() as connection:
                yield connection
            return
        with self._db_lock, self._held_connection.begin():
            yield self._held_connection

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables:
            self._tables[table_name] = super().has_table(table_name)
        return self._tables[table_name]

    def dispose(self) -> None:
        self._held_connection.close()
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
