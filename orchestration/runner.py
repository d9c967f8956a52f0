"""Runs the main job in-process and summarises what it did."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import AssetCheckSeverity, DagsterEventType

from .instance import run_instance
from .quality.model import CheckResult, table
from .reports.gate import record_run
from .resources import CallmartResource
from .settings import MAIN_JOB
from .warehouse import release


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
    dbt_nodes_unchanged: int = 0
    dbt_checks_passed: int = 0
    dbt_checks_failed: list[str] = field(default_factory=list)
    failing_rows: dict[str, list[str]] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    published: bool = False
    published_path: str = ""
    dbt_log: str = ""

    @property
    def error_checks_failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and c.severity == "error"]

    failed_steps: list[str] = field(default_factory=list)

    def print(self, seconds: float) -> None:
        status = "succeeded" if self.success else "FAILED"
        print(f"callmart run {status} in {seconds:.1f} s")
        missing = f", not found: {', '.join(self.sources_missing)}" if self.sources_missing else ""
        print(f"  sources   {len(self.sources_found)} found{missing}")
        print(f"  files     {self.files} ({self.files_changed} new or grown)")
        print(f"  rows      {self.rows_loaded:,} loaded, {self.rows_rejected:,} rejected")
        for path, n in sorted(self.rejects_per_file.items()):
            if n:
                print(f"            {n:,} rejected in {path} (see raw.rejects)")
        unchanged = (
            f", {self.dbt_nodes_unchanged} unchanged (inputs as at the last build)"
            if self.dbt_nodes_unchanged
            else ""
        )
        print(f"  dbt       {self.dbt_nodes_built} assets built{unchanged} (log: {self.dbt_log})")
        print(
            f"  checks    {self.dbt_checks_passed} tests and checks passed, {len(self.dbt_checks_failed)} did not"
        )
        published = (
            f"marts published for BI: {self.published_path}"
            if self.published
            else "NOT published (a blocking check failed or a step did not run)"
        )
        print(f"  publish   {published}")
        for step in self.failed_steps:
            print(f"  failed step: {step}")
        print()
        passed = [c for c in self.checks if c.passed]
        others = [c for c in self.checks if not c.passed]
        warned = sum(c.severity == "warn" for c in others)
        print(
            f"quality checks: {len(passed)} passed, {warned} warnings, {len(others) - warned} failed"
            + ("" if others else " (`callmart check` prints every one)")
        )
        if others:
            print(table(others))


def run_pipeline(callmart: CallmartResource, job_name: str = MAIN_JOB) -> RunSummary:
    """Execute the main job (or `job_name`, the live job) for these settings, with Dagster's storage
    beside the warehouse."""
    from .definitions import build_definitions

    job = build_definitions(callmart).resolve_job_def(job_name)
    callmart.out.line("dagster  definitions loaded, running the job")
    storage = callmart.paths.dagster
    storage.mkdir(parents=True, exist_ok=True)
    try:
        with run_instance(str(storage)) as instance:
            result = job.execute_in_process(
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
                raise_on_error=False,
                instance=instance,
            )
    finally:  # a run that stopped at a load leaves the warehouse held (warehouse.hold)
        release(callmart.warehouse_path)
    summary = RunSummary(
        success=result.success,
        published_path=str(callmart.paths.published),
        dbt_log=str(callmart.paths.dbt_log_file),
    )
    explanations = _dbt_test_explanations()
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.materialization
            assert mat is not None
            key = mat.asset_key.path
            meta = {k: v.value for k, v in mat.metadata.items()}
            if key[0] == "publish":
                summary.published = True
            elif key[0] in ("config", "bi"):
                continue
            elif key[0] == "raw" and "rows_loaded" in meta:
                (summary.sources_found if meta.get("found") else summary.sources_missing).append(key[1])
                summary.files += int(meta["files"])
                summary.files_changed += int(meta["files_changed"])
                summary.rows_loaded += int(meta["rows_loaded"])
                summary.rows_rejected += int(meta["rows_rejected"])
                summary.rejects_per_file.update(meta.get("rejects_per_file") or {})
            elif meta.get("rebuilt") is False:
                summary.dbt_nodes_unchanged += 1
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
            meta = {k: v.value for k, v in evaluation.metadata.items()}
            if "failing_rows" in meta or not evaluation.passed:  # ours always; dbt's when they fail
                failing = meta.get("failing_rows", meta.get("dagster_dbt/failed_row_count")) or 0
                message = evaluation.description or (
                    "ok" if evaluation.passed else explanations.get(evaluation.check_name, "dbt test failed")
                )
                summary.checks.append(
                    CheckResult(
                        name=evaluation.check_name,
                        asset=tuple(evaluation.asset_key.path),
                        severity="warn" if evaluation.severity == AssetCheckSeverity.WARN else "error",
                        passed=evaluation.passed,
                        failing_rows=int(failing),
                        message=str(message),
                        sample=[str(x) for x in (meta.get("sample_rows") or [])],
                    )
                )
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            reason = data.error.message.strip().splitlines()[0] if data and data.error else ""
            summary.failed_steps.append(f"{event.step_key or '?'}: {reason}"[:300])
    if summary.dbt_checks_failed:
        from .quality.dbt_tests import failing_row_samples

        summary.failing_rows = failing_row_samples(
            callmart.warehouse_path, [n.split(": ")[-1] for n in summary.dbt_checks_failed]
        )
        summary.checks = [
            CheckResult(
                c.name,
                c.asset,
                c.severity,
                c.passed,
                c.failing_rows,
                c.message,
                c.sample or summary.failing_rows.get(c.name, []),
            )
            for c in summary.checks
        ]
    summary.success = summary.success and not summary.error_checks_failed
    record_run(
        callmart.warehouse_path,
        [f"{'.'.join(c.asset)}: {c.name}" for c in summary.error_checks_failed],
        summary.published,
        callmart.config_path,
    )
    return summary


def _dbt_test_explanations() -> dict[str, str]:
    from .dbt_assets import dbt_manifest
    from .quality.dbt_tests import test_explanations

    return test_explanations(dbt_manifest())
