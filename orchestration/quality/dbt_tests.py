"""dbt's tests run against the current warehouse, as CheckResults (for `callmart check`)."""

from __future__ import annotations

import json
from pathlib import Path

from ..dbt_assets import run_dbt_on_warehouse
from ..settings import StatePaths
from .model import CheckResult


def run_dbt_tests(
    warehouse: Path, dbt_vars: dict[str, object], unit: bool = False, select: str | None = None
) -> tuple[list[CheckResult], int]:
    """dbt's data tests (or, with `unit`, its unit tests): (results that did not pass, number passed).
    `select` (dbt's node selection) limits the data tests to those of some models."""
    paths = StatePaths(warehouse)
    target = paths.dbt_target.with_name("check-target")
    args = ["test", "--select" if unit else "--exclude", "test_type:unit"]
    if select and not unit:
        args += ["--select", select]
    results_file = target / "run_results.json"
    results_file.unlink(missing_ok=True)
    run_dbt_on_warehouse(args, paths, target, dbt_vars)
    if not results_file.exists():
        return [CheckResult("dbt test", ("dbt",), "error", False, 0, "dbt test did not run")], 0
    failed: list[CheckResult] = []
    passed = 0
    for r in json.loads(results_file.read_text())["results"]:
        if not r["unique_id"].startswith(("test.", "unit_test.")):  # the on-run-start hook
            continue
        if r["status"] == "pass":
            passed += 1
            continue
        name = r["unique_id"].split(".")[2]
        severity = "warn" if r["status"] == "warn" else "error"
        failed.append(
            CheckResult(
                name,
                ("dbt",),
                severity,
                False,
                int(r.get("failures") or 0),
                str(r.get("message") or r["status"]),
            )
        )
    return failed, passed


def test_explanations(manifest: Path) -> dict[str, str]:
    """What each dbt data test checks, by test name, for the run summary: its description, else a
    singular test's leading SQL comment, else the generic test with its model, column and arguments."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    explanations: dict[str, str] = {}
    for node in nodes:
        if node["resource_type"] != "test":
            continue
        explanations[node["name"]] = node.get("description") or _explain(node)
    return explanations


def _explain(node: dict) -> str:  # type: ignore[type-arg]
    metadata = node.get("test_metadata")
    if not metadata:  # singular: the comment under its config line
        comment = []
        for line in node.get("raw_code", "").splitlines():
            if line.strip().startswith("--"):
                comment.append(line.strip().lstrip("-").strip())
            elif comment:
                break
        return " ".join(comment) or f"dbt test {node['name']}"
    model = (node.get("attached_node") or "").split(".")[-1]
    column = f".{node['column_name']}" if node.get("column_name") else ""
    arguments = {k: v for k, v in metadata.get("kwargs", {}).items() if k not in ("model", "column_name")}
    shown = f" {arguments}" if arguments else ""
    return f"{metadata['name']} on {model}{column}{shown}"
