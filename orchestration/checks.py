"""Dagster asset checks: one per Great Expectations suite, on the asset it reads.

`error` checks are blocking: when one fails, nothing downstream of its asset runs, so the publish
asset (what BI reads) keeps the last good copy. `warn` checks are shown and logged. (dbt's own tests,
the heuristic ones of tests/dbt/heuristics included, are asset checks too, through dagster-dbt; a
failing dbt `error` test stops the dbt step.)
"""

import json
import re
from collections.abc import Callable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from .quality.gx_suites import Suite, load_suites, run_suites
from .quality.model import CheckResult
from .resources import CallmartResource
from .warehouse import connect, hold

SEVERITY = {"error": AssetCheckSeverity.ERROR, "warn": AssetCheckSeverity.WARN}


def to_dagster(result: CheckResult) -> AssetCheckResult:
    return AssetCheckResult(
        passed=result.passed,
        severity=SEVERITY[result.severity],
        description=result.message,
        metadata={
            "failing_rows": result.failing_rows,
            "severity": result.severity,
            "sample": MetadataValue.md("\n".join(f"- {s}" for s in result.sample) or "(none)"),
            "sample_rows": MetadataValue.json(result.sample),
        },
    )


def _suite_check(suite: Suite) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(list(suite.asset)),
        name=suite.name,
        description=suite.description,
        blocking=suite.severity == "error",
        metadata={"suite": json.dumps(suite.config["meta"])},
    )
    def _run(context: AssetCheckExecutionContext, callmart: CallmartResource) -> AssetCheckResult:
        callmart.out.status(f"checks   {suite.name}")
        if suite.asset[0] == "raw":  # they follow each other, read-only beside the GX process's reader
            hold(callmart.warehouse_path, read_only=True)  # until the dbt step: opened once for all
        with connect(callmart.warehouse_path, read_only=True) as con:
            (result,) = run_suites(
                con, [suite], callmart.paths.gx, callmart.keep_runs, callmart.warehouse_path
            )
        return to_dagster(result)

    return _run


def build_checks(known: Callable[[AssetKey], bool], target: str = "duckdb") -> list[AssetChecksDefinition]:
    """Every check whose asset exists in the Definitions. When dbt builds on another engine, the
    warehouse holds the raw tables and the marts (brought back, engines/) but not the staging
    models: checks on those run on DuckDB builds only (dbt's own tests run on every engine)."""

    def runs(asset: tuple[str, ...], sql: str) -> bool:
        return known(AssetKey(list(asset))) and (target == "duckdb" or not reads_staging_models(sql))

    return [_suite_check(s) for s in load_suites() if runs(s.asset, s.query)]


def reads_staging_models(sql: str) -> bool:
    """Whether a check's SQL reads a staging or intermediate model (the configuration tables in the
    staging schema are written by callmart itself and are in the warehouse whatever the engine)."""
    return re.search(r"\bstaging\.(stg_|int_)", sql) is not None
