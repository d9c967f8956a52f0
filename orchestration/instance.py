"""The Dagster instance a `callmart run` executes in: Dagster's ephemeral one, with an event log that
keeps no events.

A main run after one new hour sends about 1,300 events (428 planned materializations and checks,
428 outputs, 87 materializations, 341 check results). Dagster's ephemeral instance stores each in
an in-memory SQLite database, through several queries: about a second of a main run. Nothing reads
them back. `runner.py` reads the run's events from its result, and the instance goes with the run.
During the run, Dagster asks the event log for one thing: the latest materialization of each input
asset, to record the data versions an asset was made from, and the one a check evaluated. In an
instance that starts empty with every run, those versions mean nothing after it. With no events
kept, the answer is none, given without a query. The run storage (runs and their status, which
`execute_in_process` reads) is Dagster's own. `callmart serve` runs in Dagster's own instance,
which keeps everything. docs/decisions.md, "The main run's fixed costs".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dagster import DagsterInstance
from dagster._core.instance import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import LocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage

if TYPE_CHECKING:
    from dagster import AssetKey, EventLogEntry
    from dagster._core.storage.event_log.base import AssetRecord


class RunEventLogStorage(InMemoryEventLogStorage):
    """Dagster's in-memory event log, which stores no event: its tables stay empty, and its answer
    to the one question a run asks of them (the latest records of some assets, with their last
    materialization and observation) is none."""

    def store_event(self, event: EventLogEntry) -> None:
        """Let the event go: the run's result has it."""

    def get_asset_records(self, asset_keys: Sequence[AssetKey] | None = None) -> Sequence[AssetRecord]:
        return []

    @property
    def asset_records_have_last_observation(self) -> bool:
        """An asset's record would hold its last observation: with no record, Dagster does not look
        for observations apart."""
        return True


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
