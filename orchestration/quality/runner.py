"""Runs every Great Expectations suite against a warehouse and reports CheckResults (dbt's tests,
the heuristic ones of tests/dbt/heuristics included, run through quality/dbt_tests.py)."""

from __future__ import annotations

from pathlib import Path

from ..settings import StatePaths
from ..warehouse import connect
from .gx_suites import load_suites, run_suites
from .model import CheckResult

KEEP_RUNS = 30  # runs of results kept (validation results, Data Docs pages, dbt logs): --vars keep_runs


def run_all_checks(
    warehouse: Path,
    dbt_vars: dict[str, object] | None = None,
    assets: set[tuple[str, ...]] | None = None,
) -> list[CheckResult]:
    results: list[CheckResult] = []
    with connect(warehouse, read_only=True) as con:
        suites = [s for s in load_suites() if assets is None or s.asset in assets]
        keep = int((dbt_vars or {}).get("keep_runs", KEEP_RUNS))  # type: ignore[call-overload]
        results += run_suites(con, suites, StatePaths(warehouse).gx, keep, warehouse)
    return results
