"""Runs the main job in-process and summarises what it did."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import DagsterEventType


@dataclass
class RunSummary:
    success: bool
    sources_found: list[str] = field(default_factory=list)
    sources_missing: list[str] = field(default_factory=list)
    files: int = 0
    files_changed: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejects_per_file: dict[str, int] = field(default_factory=dict)
    dbt_nodes_built: int = 0
    dbt_checks_passed: int = 0
    dbt_checks_failed: list[str] = field(default_factory=list)
    failing_rows: dict[str, list[str]] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)

    def print(self, seconds: float) -> None:
        status = "succeeded" if self.success else "FAILED"
        print(f"callmart run {status} in {seconds:.1f} s")
        print(
            f"  sources   {len(self.sources_found)} found"
            + (f", not found: {', '.join(self.sources_missing)}" if self.sources_missing else "")
        )
        print(f"  files     {self.files} ({self.files_changed} new or grown)")
        print(f"  rows      {self.rows_loaded:,} loaded, {self.rows_rejected:,} rejected")
        for path, n in sorted(self.rejects_per_file.items()):
            if n:
                print(f"            {n:,} rejected in {path} (see raw.rejects)")
        print(
            f"  dbt       {self.dbt_nodes_built} models and seeds built, "
            f"{self.dbt_checks_passed} tests passed, {len(self.dbt_checks_failed)} failed"
        )
        for name in self.dbt_checks_failed:
            print(f"            failed: {name}")
            for line in self.failing_rows.get(name.split(": ")[-1], []):
                print(f"              {line}")
        for step in self.failed_steps:
            print(f"  failed step: {step}")


def run_pipeline() -> RunSummary:
    from .definitions import defs

    job = defs.resolve_job_def("callmart_main")
    result = job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}}, raise_on_error=False
    )
    summary = RunSummary(success=result.success)
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.materialization
            assert mat is not None
            key = mat.asset_key.path
            meta = {k: v.value for k, v in mat.metadata.items()}
            if key[0] == "raw" and "rows_loaded" in meta:
                (summary.sources_found if meta.get("found") else summary.sources_missing).append(key[1])
                summary.files += int(meta["files"])
                summary.files_changed += int(meta["files_changed"])
                summary.rows_loaded += int(meta["rows_loaded"])
                summary.rows_rejected += int(meta["rows_rejected"])
                summary.rejects_per_file.update(meta.get("rejects_per_file") or {})
            else:
                summary.dbt_nodes_built += 1
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed:
                summary.dbt_checks_passed += 1
            else:
                summary.dbt_checks_failed.append(
                    f"{'.'.join(evaluation.asset_key.path)}: {evaluation.check_name}"
                )
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            summary.failed_steps.append(event.step_key or "?")
    if summary.dbt_checks_failed:
        summary.failing_rows = failing_row_samples([n.split(": ")[-1] for n in summary.dbt_checks_failed])
    return summary


def failing_row_samples(test_names: list[str], limit: int = 5) -> dict[str, list[str]]:
    """Rows a failed test stored (tests configured with store_failures), a few per test."""
    import os

    import duckdb

    samples: dict[str, list[str]] = {}
    warehouse = os.environ.get("CALLMART_WAREHOUSE")
    if not warehouse:
        return samples
    with duckdb.connect(warehouse, read_only=True) as con:
        stored = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'dbt_test__audit'"
            ).fetchall()
        }
        for name in test_names:
            if name in stored:
                cursor = con.execute(f'select * from dbt_test__audit."{name}" limit {limit}')
                columns = [d[0] for d in cursor.description]
                samples[name] = [
                    ", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True))
                    for row in cursor.fetchall()
                ]
    return samples
