"""dbt's tests run against the current warehouse, as CheckResults (for `callmart check`)."""

from __future__ import annotations

import json
from pathlib import Path

from ..dbt_assets import run_dbt_on_warehouse
from ..settings import StatePaths
from ..warehouse import connect
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
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    failed: list[CheckResult] = []
    passed = 0
    results = json.loads(results_file.read_text())["results"]
    samples = failing_row_samples(
        warehouse, [_test_name(r["unique_id"]) for r in results if r["status"] in ("fail", "warn")]
    )
    for r in results:
        if not r["unique_id"].startswith(("test.", "unit_test.")):  # the on-run-start hook
            continue
        if r["status"] == "pass":
            passed += 1
            continue
        name = _test_name(r["unique_id"])
        node = nodes.get(r["unique_id"])
        severity = "warn" if r["status"] == "warn" else "error"
        message = str(r.get("message") or f"{r['status']} (the differences are in the dbt log)")
        if node is not None and r["status"] in ("fail", "warn"):  # what the test checks, not its count
            message = f"{_explanation(node)} ({message})"
        failed.append(
            CheckResult(
                name,
                _tested_model(node, nodes),
                severity,
                False,
                int(r.get("failures") or 0),
                message,
                samples.get(name, []),
            )
        )
    return failed, passed


def _test_name(unique_id: str) -> str:
    """test.callmart.<name>.<hash>, unit_test.callmart.<model>.<name>"""
    parts = unique_id.split(".")
    return parts[3] if parts[0] == "unit_test" else parts[2]


def failing_row_samples(warehouse: Path, test_names: list[str], limit: int = 5) -> dict[str, list[str]]:
    """Rows a failed test stored (tests configured with store_failures), a few per test."""
    samples: dict[str, list[str]] = {}
    if not warehouse.exists() or not test_names:
        return samples
    with connect(warehouse, read_only=True) as con:
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


def test_explanations(manifest: Path) -> dict[str, str]:
    """What each dbt data test checks, by test name, for the run summary."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {node["name"]: _explanation(node) for node in nodes if node["resource_type"] == "test"}


def _tested_model(node: dict | None, nodes: dict) -> tuple[str, ...]:  # type: ignore[type-arg]
    """The (schema, model) a test is about, as the Dagster asset check is attached (a generic test's
    model, a singular test's one model, else the model its `meta.dagster.ref` names)."""
    if node is None:
        return ("dbt",)
    attached = node.get("attached_node")
    depends = [n for n in node.get("depends_on", {}).get("nodes", []) if n.startswith("model.")]
    if not attached and len(depends) == 1:
        attached = depends[0]
    ref = (node.get("config", {}).get("meta") or {}).get("dagster", {}).get("ref", {}).get("name")
    if ref:
        attached = next((n for n in depends if n.split(".")[-1] == ref), attached)
    model = nodes.get(attached or "")
    return (model["schema"], model["name"]) if model else ("dbt",)


def _explanation(node: dict) -> str:  # type: ignore[type-arg]
    """A test's description, else a singular test's leading SQL comment, else the generic test with
    its model, column and arguments."""
    if node.get("description"):
        return node["description"]
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
