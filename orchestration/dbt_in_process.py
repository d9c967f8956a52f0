"""dbt run inside Dagster's process (DuckDB builds), its results streamed as dagster-dbt streams them.

dagster-dbt starts dbt as a process of its own for each build: a new Python that imports dbt-core
and the adapter, then reads the project, about 2.5 s of an incremental run that spends a few seconds
on its models. This process has already imported dbt (the definitions are made from its manifest),
so `dbtRunner` builds here. dbt's result events come from its callbacks on dbt's worker threads; a
thread runs the build and hands each event over through a queue; Dagster's events are made from them
on the step's own thread with dagster-dbt's own conversion (`DbtCoreCliEventMessage`), so a model or
a test reports exactly what it reports when dbt runs out of process.

Other engines keep dagster-dbt's process: their adapters hold connections and state that this
process should not keep between runs (docs/decisions.md, "dbt in the run's process").
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, Failure

from .handover import handed_over

# the events that carry a node's result (dagster-dbt's `is_result_event`)
RESULT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult", "LogTestResult"})


def selection_args(context: AssetExecutionContext, manifest: Mapping[str, Any], translator: Any) -> list[str]:
    """The dbt selection of the step's selected assets and checks, as dagster-dbt computes it for a
    dbt process (its indirect selection, which it passes in the environment, as a flag here)."""
    from dagster_dbt.asset_utils import get_subset_selection_for_context

    selection, indirect = get_subset_selection_for_context(
        context=context,
        manifest=manifest,
        select=context.op_execution_context.op.tags.get("dagster_dbt/select"),
        exclude=context.op_execution_context.op.tags.get("dagster_dbt/exclude"),
        selector=context.op_execution_context.op.tags.get("dagster_dbt/selector"),
        dagster_dbt_translator=translator,
        current_dbt_indirect_selection_env=None,
    )
    return [*selection, *(["--indirect-selection", indirect] if indirect else [])]


def release_warehouse() -> None:
    """Close every connection dbt's adapters hold, and dbt-duckdb's database with them: the steps
    after dbt open the warehouse with settings of their own (read-only), which DuckDB refuses while
    this process holds it open otherwise."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()
    DuckDBConnectionManager.close_all_connections()


def stream(
    args: Sequence[str],
    *,
    context: AssetExecutionContext,
    manifest: Mapping[str, Any],
    translator: Any,
    target_path: Path,
    callbacks: Sequence[Callable[[Any], None]] = (),
) -> Iterator[Any]:
    """Run `dbt <args>` here and yield the Dagster events of its results as they come (`callbacks`
    see every event of dbt's, on dbt's threads). Raises
    `Failure` when dbt fails (a model or a blocking test failed, or dbt itself), after every result
    it reported, as dagster-dbt raises when its dbt process exits non-zero."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    outcome: dict[str, Any] = {}

    def build(hand_over: Callable[[Any], None]) -> None:
        def callback(message: Any) -> None:
            if message.info.name in RESULT_EVENTS:
                hand_over(msg_to_dict(message))

        try:
            outcome["result"] = dbtRunner(callbacks=[callback, *callbacks]).invoke(list(args))
        except BaseException:
            with contextlib.suppress(BaseException):  # dbt's own error is the one to raise
                release_warehouse()
            raise
        release_warehouse()

    # dbt on a thread of its own, raising here after every result it reported (handover.py)
    for raw_event in handed_over(build, "dbt"):
        event = DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={})
        yield from event.to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=translator, context=context, target_path=target_path
        )
    result = outcome["result"]
    if not result.success:
        reason = f": {result.exception}" if result.exception is not None else ""
        raise Failure(description=f"dbt {args[0]} failed{reason} (dbt's log has each node)")
