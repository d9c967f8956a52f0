"""Runs every suite and SQL check against a warehouse and reports CheckResults."""

from __future__ import annotations

from pathlib import Path

from ..settings import StatePaths
from ..warehouse import connect
from .gx_suites import load_suites, run_suites
from .model import CheckResult
from .sql_checks import DEFAULTS, SQL_CHECKS

KEEP_RUNS = 30  # runs of results kept (validation results, Data Docs pages, dbt logs): --vars keep_runs


def check_settings(dbt_vars: dict[str, object], as_of: str | None = None) -> dict[str, object]:
    settings = {**DEFAULTS, **{k: v for k, v in dbt_vars.items() if k in DEFAULTS}}
    as_of = as_of or (str(settings["as_of"]) if settings.get("as_of") else None)
    if as_of == "data":  # a replay of old files: as of its own newest event
        settings["as_of_sql"] = "(select max(event_ts_utc) from staging.stg_asterisk__queue_log)"
    else:
        settings["as_of_sql"] = f"'{as_of}'" if as_of else "null"
    return settings


def run_all_checks(
    warehouse: Path,
    dbt_vars: dict[str, object] | None = None,
    as_of: str | None = None,
    assets: set[tuple[str, ...]] | None = None,
) -> list[CheckResult]:
    settings = check_settings(dbt_vars or {}, as_of)
    results: list[CheckResult] = []
    with connect(warehouse, read_only=True) as con:
        for check in SQL_CHECKS:
            if assets is None or check.asset in assets:
                results.append(check.run(con, settings))
        suites = [s for s in load_suites() if assets is None or s.asset in assets]
        keep = int((dbt_vars or {}).get("keep_runs", KEEP_RUNS))  # type: ignore[call-overload]
        results += run_suites(con, suites, StatePaths(warehouse).gx, keep)
    return results
