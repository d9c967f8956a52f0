"""Great Expectations suites kept as files in expectations/, validated through GX's pandas datasource.

A suite file is GX's own ExpectationSuite JSON; its `meta.callmart` says which warehouse asset it
checks, its severity, and the SQL whose result (a DuckDB `.df()`) is the batch. GX's SQL datasource
fails on DuckDB (upstream GX #10738), hence pandas. An expectation that raises is a failure.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..settings import PROJECT_DIR, replace_file
from .model import CheckResult

SUITES_DIR = PROJECT_DIR / "expectations"
# GX imports pyspark when it is installed (the spark extra), which warns about pandas 3 on import
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]
    severity: str
    query: str
    description: str
    config: dict[str, Any]


def load_suites(folder: Path = SUITES_DIR) -> list[Suite]:
    suites = []
    for path in sorted(folder.glob("*.json")):
        config = json.loads(path.read_text())
        meta = config.get("meta", {}).get("callmart", {})
        suites.append(
            Suite(
                config["name"],
                tuple(meta["asset"]),
                meta.get("severity", "error"),
                meta["query"],
                meta.get("description", ""),
                config,
            )
        )
    return suites


def data_docs_index(gx_dir: Path) -> Path:
    """The Data Docs page of a GX project folder (a warehouse's StatePaths.gx)."""
    return gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def open_context(gx_dir: Path):  # type: ignore[no-untyped-def]
    """The file-mode GX project in gx_dir (created on first use), without progress bars."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    gx = great_expectations()

    context = gx.get_context(mode="file", project_root_dir=str(gx_dir))
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        context.variables.save()
    except Exception:  # noqa: BLE001 - progress bars are cosmetic
        pass
    return context


def great_expectations():  # type: ignore[no-untyped-def]
    """Import GX. GX imports pyspark (the spark extra), whose Spark Connect module takes a `__main__`
    with neither a spec nor a file for a doctest run and calls sys.exit(0): that is what the run
    worker of `callmart serve` looks like. Give such a `__main__` a file name first."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # before GX is imported; the same for every run
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = sys.argv[0] or "callmart"
    import great_expectations

    from .data_docs import share_compiled_templates

    share_compiled_templates()
    return great_expectations


def warm_up() -> None:
    """Validate a suite of one expectation on one row, with its Data Docs, in a throwaway GX project.
    GX's first validation in a process loads its renderers and compiles its page templates: 0.6-0.8 s
    for the raw queue_log suite, against 0.3 s for the next one. The GX process does this while it
    waits for its first request (gx_process.py)."""
    suite = Suite(
        "warm_up",
        ("raw", "warm_up"),
        "warn",
        "select 1 as x",
        "",
        {
            "meta": {},
            "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}}],
        },
    )
    with tempfile.TemporaryDirectory(prefix="callmart-gx-") as scratch, duckdb.connect() as con:
        validate(con, [suite], Path(scratch) / "gx", 1)


def batch_fingerprint(con: duckdb.DuckDBPyConnection, suite: Suite) -> str | None:
    """What a validation of the suite depends on: its expectations and its batch (the rows of its
    query, as a count and an order-free sum of row hashes, computed in DuckDB). None when the
    query fails (then GX is not asked either)."""
    try:
        row = con.execute(f"select count(*), sum(hash(batch)::hugeint) from ({suite.query}) batch").fetchone()
    except duckdb.Error:
        return None
    digest = hashlib.sha256(json.dumps(suite.config, sort_keys=True).encode())
    digest.update(repr(row).encode())
    return digest.hexdigest()


class PassedBatches:
    """The batch fingerprint of each suite's last validation, when it passed (beside the GX project).
    The same expectations on the same rows give the same result: such a suite is not validated
    again, so a run whose data did not change a suite's batch does not pay for GX (its import alone
    takes seconds) nor for rebuilding the Data Docs, which keep showing that validation."""

    def __init__(self, gx_dir: Path):
        self.path = gx_dir / "passed_batches.json"
        self.passed: dict[str, str] = json.loads(self.path.read_text()) if self.path.is_file() else {}

    def unchanged(self, suite: Suite, fingerprint: str | None) -> bool:
        return fingerprint is not None and self.passed.get(suite.name) == fingerprint

    def record(self, suite: Suite, fingerprint: str | None, passed: bool) -> None:
        if passed and fingerprint is not None:
            self.passed[suite.name] = fingerprint
        else:
            self.passed.pop(suite.name, None)
        replace_file(self.path, json.dumps(self.passed, indent=1, sort_keys=True))


def run_suites(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    gx_dir: Path,
    keep_runs: int = 30,
    warehouse: Path | None = None,
) -> list[CheckResult]:
    """Validate each suite through a GX checkpoint that also updates the Data Docs site in gx_dir,
    keeping the last `keep_runs` results of each suite (and its last failure); the site is then
    pointed at local copies of its CSS and JavaScript (data_docs.py). A suite whose batch is the
    one its last validation passed on passes again without GX (PassedBatches). With `warehouse`
    (the file `con` reads) and a GX process started for gx_dir (gx_process.py), that process
    validates."""
    ledger = PassedBatches(gx_dir)
    fingerprints = {suite.name: batch_fingerprint(con, suite) for suite in suites}
    unchanged = {s.name for s in suites if ledger.unchanged(s, fingerprints[s.name])}
    to_validate = [suite for suite in suites if suite.name not in unchanged]
    validated = {r.name: r for r in _validated(con, to_validate, gx_dir, keep_runs, warehouse)}
    for suite in to_validate:
        # a query whose rows differ from one execution to the next (a sample without an order) may
        # have given GX other rows than the fingerprinted ones: such a batch is never taken as read
        same = batch_fingerprint(con, suite) == fingerprints[suite.name]
        ledger.record(suite, fingerprints[suite.name] if same else None, validated[suite.name].passed)
    return [
        validated[suite.name]
        if suite.name in validated
        else CheckResult(
            suite.name, suite.asset, suite.severity, True, 0, "ok (the batch its last validation passed on)"
        )
        for suite in suites
    ]


def _validated(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], gx_dir: Path, keep_runs: int, warehouse: Path | None
) -> list[CheckResult]:
    """`validate`'s results, from the GX process started for gx_dir when there is one."""
    if not suites:
        return []
    from .gx_process import GxProcessError, release, running

    if warehouse is not None and (process := running(gx_dir)) is not None:
        try:
            return process.validate(warehouse, suites, keep_runs)
        except GxProcessError as exc:
            logging.getLogger("callmart").warning("validating here: %s", exc)
            release(gx_dir)
    return validate(con, suites, gx_dir, keep_runs)


def validate(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    gx_dir: Path,
    keep_runs: int,
    context=None,  # type: ignore[no-untyped-def]  # open_context(gx_dir), when the caller holds it
) -> list[CheckResult]:
    gx = great_expectations()

    from .data_docs import OfflineAssetsMissing, make_offline, prune_validations

    context = context or open_context(gx_dir)
    source = context.data_sources.add_or_update_pandas("warehouse")
    results = []
    for suite in suites:
        prune_validations(gx_dir, suite.name, keep_runs)
        try:
            frame = con.execute(suite.query).df()
        except duckdb.Error as exc:
            results.append(
                CheckResult(suite.name, suite.asset, suite.severity, False, 0, f"query failed: {exc}")
            )
            continue
        existing = {a.name: a for a in source.assets}
        asset = existing.get(suite.name) or source.add_dataframe_asset(suite.name)
        batch_definitions = {b.name: b for b in asset.batch_definitions}
        batch_definition = batch_definitions.get("all") or asset.add_batch_definition_whole_dataframe("all")
        gx_suite = context.suites.add_or_update(
            gx.ExpectationSuite(
                name=suite.name, expectations=[_expectation(e) for e in suite.config["expectations"]]
            )
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        validation = next(iter(run.run_results.values()))
        results.append(_result(suite, validation))
    try:
        make_offline(data_docs_index(gx_dir).parent)
    except OfflineAssetsMissing as exc:
        logging.getLogger("callmart").warning("Data Docs need internet: %s", exc)
    return results


def _result(suite: Suite, validation) -> CheckResult:  # type: ignore[no-untyped-def]
    failing = 0
    messages: list[str] = []
    sample: list[str] = []
    for r in validation.results:
        kwargs = {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
        raised = bool(r.exception_info and r.exception_info.get("raised_exception"))
        if r.success and not raised:
            continue
        count = int(r.result.get("unexpected_count") or (0 if raised else 1))
        failing += count
        what = f"{r.expectation_config.type}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
        detail = f"raised {r.exception_info.get('exception_message')}" if raised else f"{count} rows"
        messages.append(f"{what}: {detail}")
        for value in (r.result.get("partial_unexpected_list") or [])[:3]:
            sample.append(f"{kwargs.get('column', kwargs.get('column_list', ''))}: {value}")
    passed = not messages
    return CheckResult(
        suite.name,
        suite.asset,
        suite.severity,
        passed,
        failing,
        "ok" if passed else "; ".join(messages),
        sample,
    )


def _expectation(config: dict[str, Any]):  # type: ignore[no-untyped-def]
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return ExpectationConfiguration(type=config["type"], kwargs=config["kwargs"]).to_domain_obj()
