"""The run's Dagster instance (orchestration/instance.py): its event log keeps no events, while the
run's result keeps them all and the run storage follows the run's status."""

from __future__ import annotations

from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterEventType,
    DagsterRunStatus,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
)

from orchestration.instance import RunEventLogStorage, run_instance


@asset
def upstream() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 3})


@asset(deps=[upstream])
def downstream() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 2})


@asset_check(asset=downstream, blocking=True)
def downstream_has_rows() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def test_a_run_keeps_its_events_in_its_result_not_in_the_event_log(tmp_path: Path) -> None:
    job = Definitions(
        assets=[upstream, downstream], asset_checks=[downstream_has_rows]
    ).resolve_implicit_global_asset_job_def()
    with run_instance(str(tmp_path)) as instance:
        assert instance.is_ephemeral
        assert isinstance(instance.event_log_storage, RunEventLogStorage)
        result = job.execute_in_process(instance=instance)
        assert result.success
        kinds = [event.event_type for event in result.all_events]
        assert kinds.count(DagsterEventType.ASSET_MATERIALIZATION) == 2
        assert kinds.count(DagsterEventType.ASSET_CHECK_EVALUATION) == 1
        # the run storage follows the run; the event log holds nothing
        run = instance.get_run_by_id(result.run_id)
        assert run is not None and run.status == DagsterRunStatus.SUCCESS
        assert instance.all_logs(result.run_id) == []
        assert instance.get_asset_records([AssetKey("upstream")]) == []
        assert instance.get_latest_materialization_event(AssetKey("downstream")) is None


@asset(deps=[downstream])
def published() -> MaterializeResult:
    return MaterializeResult()


@asset_check(asset=downstream, blocking=True)
def downstream_fails() -> AssetCheckResult:
    return AssetCheckResult(passed=False)


def test_a_failed_blocking_check_still_stops_what_comes_after(tmp_path: Path) -> None:
    """Dagster blocks the assets downstream of a failed blocking check within the run, not through
    the events it stored: with none stored, `published` is still not materialized."""
    job = Definitions(
        assets=[upstream, downstream, published], asset_checks=[downstream_fails]
    ).resolve_implicit_global_asset_job_def()
    with run_instance(str(tmp_path)) as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    materialized = {
        event.asset_key.to_user_string()
        for event in result.all_events
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key
    }
    assert materialized == {"upstream", "downstream"}
